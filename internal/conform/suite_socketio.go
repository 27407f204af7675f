package conform

import (
	"bytes"
	"encoding/json"
	"slices"
)

// The checks of the socket.io-protocol test suite (protocol 5) beyond its
// Engine.IO part, written after what each case sends and expects. The
// suite's server emits "auth" with the handshake's auth payload on / and
// /custom, sends "message" back as "message-back" and acks
// "message-with-ack" with its arguments.

// nextPacket is next, letting pings by, as the suite does where it waits
// for several packets.
func (w *ws) nextPacket(what string) frame {
	for {
		f := w.next(what)
		if f.binary || string(f.data) != "2" {
			return f
		}
	}
}

// expectConnect checks a CONNECT answer of namespace prefix ("40" or
// "40/custom,"): its data an object holding a sid alone.
func (w *ws) expectConnect(prefix, what string) {
	f := w.next(what)
	if f.binary || !bytes.HasPrefix(f.data, []byte(prefix)) {
		w.t.Fatalf("%s: want %s{\"sid\":...}", what, prefix)
	}
	var m map[string]json.RawMessage
	var sid string
	if json.Unmarshal(f.data[len(prefix):], &m) != nil || len(m) != 1 || json.Unmarshal(m["sid"], &sid) != nil {
		w.t.Fatalf("%s: want an object holding only a sid, a string", what)
	}
}

// sioConnect opens a WebSocket and connects to /, as the suite's
// initSocketIOConnection does: it waits for two messages, the CONNECT
// answer and the auth event, without looking at them (the connect
// checks do).
func (t *T) sioConnect() *ws {
	w := t.mustDial("")
	w.next("the Engine.IO handshake")
	w.text("40")
	w.next("the CONNECT answer")
	w.next("the auth event")
	return w
}

// suiteConnect connects with the CONNECT packet sent and checks the
// answer, then the auth event the server emits.
func suiteConnect(sent, prefix, auth string) func(*T) {
	return func(t *T) {
		w := t.mustDial("")
		w.next("the Engine.IO handshake")
		w.text(sent)
		w.expectConnect(prefix, "the CONNECT answer")
		w.expect(auth, "the auth event")
	}
}

func suiteUnknownNamespace(t *T) {
	w := t.mustDial("")
	w.next("the Engine.IO handshake")
	w.text("40/random")
	w.expect(`44/random,{"message":"Invalid namespace"}`, "the answer")
}

// suiteClosesOn checks that the server closes the connection upon
// packet, sent after the handshake (and the CONNECT to / when connected).
func suiteClosesOn(packet string, connected bool) func(*T) {
	return func(t *T) {
		var w *ws
		if connected {
			w = t.sioConnect()
		} else {
			w = t.mustDial("")
			w.next("the Engine.IO handshake")
		}
		w.text(packet)
		t.noteLateClose(w.closed(0, "after "+packet), "after "+packet)
	}
}

func suiteNoConnect(t *T) {
	w := t.mustDial("")
	w.closed(0, "a connection that sends no CONNECT")
}

func suiteDisconnectMain(t *T) {
	w := t.sioConnect()
	w.text("41")
	w.expect("2", "the next packet, a ping: the Engine.IO session lives on")
}

func suiteDisconnectCustom(t *T) {
	w := t.sioConnect()
	if f := w.next("a ping"); !f.binary && string(f.data) == "2" {
		w.text("3") // the suite leaves it unanswered, and then has 200 ms left
	}
	w.text("40/custom")
	w.next("the CONNECT answer of /custom")
	w.next("the auth event of /custom")
	w.text("41/custom")
	w.text(`42["message","message to main namespace"]`)
	w.expect(`42["message-back","message to main namespace"]`, "the answer on /")
}

func suiteEvent(t *T) {
	w := t.sioConnect()
	w.text(`42["message",1,"2",{"3":[true]}]`)
	w.expect(`42["message-back",1,"2",{"3":[true]}]`, "the answer")
}

func suiteAck(t *T) {
	w := t.sioConnect()
	w.text(`42456["message-with-ack",1,"2",{"3":[false]}]`)
	w.expect(`43456[1,"2",{"3":[false]}]`, "the ack")
}

// suiteBinary sends a packet with two attachments and expects the
// answer's header, then both attachments.
func suiteBinary(sent, want string) func(*T) {
	return func(t *T) {
		w := t.sioConnect()
		w.text(sent)
		w.binary([]byte{1, 2, 3})
		w.binary([]byte{4, 5, 6})
		got := []frame{w.nextPacket("the answer"), w.nextPacket("the first attachment"), w.nextPacket("the second attachment")}
		wantFrames := []frame{{data: []byte(want)}, {data: []byte{1, 2, 3}, binary: true}, {data: []byte{4, 5, 6}, binary: true}}
		if !slices.EqualFunc(got, wantFrames, func(a, b frame) bool { return a.binary == b.binary && bytes.Equal(a.data, b.data) }) {
			t.got = got[0].String() + " + " + got[1].String() + " + " + got[2].String()
			t.Fatalf("want %s then the attachments [1 2 3] and [4 5 6]", want)
		}
	}
}
