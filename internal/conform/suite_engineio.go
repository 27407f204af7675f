package conform

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/siocli/sio/pkg/engineio/wire"
)

// The checks of the engine.io-protocol test suites (Engine.IO 3 and 4),
// also the first part of the socket.io-protocol suite, written after
// what each case of the suites sends and expects. The suites' server
// announces these timings and sends every message back.
const (
	suitePingInterval = 300 * time.Millisecond
	suitePingTimeout  = 200 * time.Millisecond
	suiteMaxPayload   = 1_000_000
	// suiteLag is how long a check gives a request to reach the server
	// before the next, where the suite sends them in that order at once.
	suiteLag = 20 * time.Millisecond
)

// suiteBeats is the wait of a check that lasts n of the suite server's
// heartbeats.
func suiteBeats(n int) func(*runner) time.Duration {
	return func(*runner) time.Duration { return time.Duration(n) * (suitePingInterval + suitePingTimeout) }
}

// pick returns the Engine.IO 4 form or the Engine.IO 3 one.
func (t *T) pick(v4, v3 string) string {
	if t.v == wire.Version3 {
		return v3
	}
	return v4
}

// openFields reads an open packet's JSON object, failing the check when
// it is not one.
func (t *T) openFields(data []byte, what string) map[string]json.RawMessage {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil || m == nil {
		t.Fatalf("%s: the open packet's data is not a JSON object", what)
	}
	return m
}

// suiteHandshake checks an open packet as the suites do: the five keys
// (Engine.IO 4: those alone), and the values of the suite's server.
func (t *T) suiteHandshake(data []byte, upgrades []string, what string) {
	m := t.openFields(data, what)
	keys := []string{"sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"}
	if t.v == wire.Version4 {
		for _, k := range keys {
			if _, ok := m[k]; !ok {
				t.Fatalf("%s: no %s", what, k)
			}
		}
		for k := range m {
			if !slices.Contains(keys, k) {
				t.Fatalf("%s: a key the protocol does not have: %s", what, k)
			}
		}
	}
	var sid string
	if json.Unmarshal(m["sid"], &sid) != nil {
		t.Fatalf("%s: sid is not a string", what)
	}
	var ups []string
	if json.Unmarshal(m["upgrades"], &ups) != nil || ups == nil || !slices.Equal(ups, upgrades) {
		t.Fatalf("%s: want upgrades %q", what, upgrades)
	}
	number := func(k string, want float64) {
		var n float64
		if json.Unmarshal(m[k], &n) != nil || n != want {
			t.Fatalf("%s: want %s %v, as the suite's server has it", what, k, want)
		}
	}
	number("pingInterval", float64(suitePingInterval.Milliseconds()))
	number("pingTimeout", float64(suitePingTimeout.Milliseconds()))
	if _, ok := m["maxPayload"]; ok || t.v == wire.Version4 {
		number("maxPayload", suiteMaxPayload)
	}
}

func suiteOpenPolling(t *T) {
	rp := t.get("", without(wire.QueryBase64))
	t.wantStatus(rp, http.StatusOK, "the handshake")
	open := string(rp.body)
	if t.v == wire.Version3 {
		n, rest, ok := strings.Cut(open, ":")
		if !ok || n != strconv.Itoa(len(utf16.Encode([]rune(rest)))) {
			t.Fatalf("the handshake: the length before the colon is not the packet's")
		}
		open = rest
	}
	if !strings.HasPrefix(open, "0") {
		t.Fatalf("the handshake: want an open packet, 0{...}")
	}
	t.suiteHandshake([]byte(open[1:]), []string{"websocket"}, "the handshake")
}

func suiteBadEIOPolling(t *T) {
	t.wantStatus(t.get("", without(wire.QueryEIO)), http.StatusBadRequest, "a handshake without EIO")
	t.wantStatus(t.get("", with(wire.QueryEIO, "abc")), http.StatusBadRequest, "a handshake with EIO=abc")
}

func suiteBadTransportPolling(t *T) {
	t.wantStatus(t.get("", without(wire.QueryTransport)), http.StatusBadRequest, "a handshake without transport")
	t.wantStatus(t.get("", with(wire.QueryTransport, "abc")), http.StatusBadRequest, "a handshake with transport=abc")
}

func suiteBadMethod(t *T) {
	t.wantStatus(t.send(http.MethodPost, t.url(wire.Polling, ""), nil), http.StatusBadRequest, "a POST handshake")
	if t.v == wire.Version4 {
		t.wantStatus(t.send(http.MethodPut, t.url(wire.Polling, ""), nil), http.StatusBadRequest, "a PUT handshake")
	}
}

func suiteOpenWebSocket(t *T) {
	w := t.mustDial("")
	f := w.next("the handshake")
	if f.binary || !bytes.HasPrefix(f.data, []byte("0")) {
		t.Fatalf("the handshake: want an open packet, 0{...}")
	}
	t.suiteHandshake(f.data[1:], []string{}, "the handshake")
}

// refusedWebSocket checks that a WebSocket with the edited query is
// refused, or closed by the server, as the suites' "close" event says.
func (t *T) refusedWebSocket(what string, edits ...edit) {
	w, _ := t.dial("", edits...)
	if w == nil {
		return
	}
	took := w.closed(0, what)
	t.noteLateClose(took, what)
}

// noteLateClose says when a close that a check waited for came only when
// the suite server's heartbeat had run out: the server ignored what the
// check sent and dropped the session for its silence.
func (t *T) noteLateClose(took time.Duration, what string) {
	if took >= suitePingInterval {
		t.Notef("%s: the WebSocket closed %v later, by the heartbeat's timeout rather than at once", what, took.Round(time.Millisecond))
	}
}

func suiteBadEIOWebSocket(t *T) {
	t.refusedWebSocket("a WebSocket without EIO", without(wire.QueryEIO))
	t.refusedWebSocket("a WebSocket with EIO=abc", with(wire.QueryEIO, "abc"))
}

func suiteBadTransportWebSocket(t *T) {
	t.refusedWebSocket("a WebSocket without transport", without(wire.QueryTransport))
	t.refusedWebSocket("a WebSocket with transport=abc", with(wire.QueryTransport, "abc"))
}

// echoPolling POSTs a payload and expects it back from the next GET.
func echoPolling(v4, v3 string) func(*T) {
	return func(t *T) {
		sid, _, _ := t.open()
		payload := t.pick(v4, v3)
		t.wantBody(t.post(sid, payload), "ok", "the POST")
		t.wantBody(t.get(sid), payload, "the GET")
	}
}

// suiteXHR2 checks the Engine.IO 3 binary payload of a session opened
// without b64.
func suiteXHR2(t *T) {
	// The suite reads this handshake as text, as the others.
	if rp := t.get("", without(wire.QueryBase64)); rp.err == nil && rp.binary() {
		t.Fatalf("the handshake: a binary payload, where the suite reads a text one (len:0{...})")
	}
	sid, _, _ := t.open(without(wire.QueryBase64))
	t.wantBody(t.post(sid, "6:4hello10:b4AQIDBA==", without(wire.QueryBase64)), "ok", "the POST")
	rp := t.get(sid, without(wire.QueryBase64))
	want := []byte{0, 6, 255, '4', 'h', 'e', 'l', 'l', 'o', 1, 5, 255, 4, 1, 2, 3, 4}
	t.wantStatus(rp, http.StatusOK, "the GET")
	if !bytes.Equal(rp.body, want) {
		t.Fatalf("the GET: want the binary payload %s", show(want, true))
	}
}

func suiteInvalidPolling(t *T) {
	sid, _, _ := t.open()
	t.post(sid, "abc") // its answer is not the point (node-fetch may see an abort)
	t.wantStatus(t.get(sid), http.StatusBadRequest, "a GET after the invalid packet")
}

// background makes a request on a goroutine of its own; the answer
// comes on the channel, which the check must receive from before it ends.
func (t *T) background(ctx context.Context, method string, u *url.URL, body []byte) <-chan reply {
	ch := make(chan reply, 1)
	t.goroutine(ctx, func(ctx context.Context) { ch <- t.doCtx(ctx, method, u, body) })
	return ch
}

func suiteDuplicateGet(t *T) {
	sid, _, _ := t.open()
	u := t.url(wire.Polling, sid)
	first := t.background(t.ctx, http.MethodGet, u, nil)
	t.sleep(suiteLag)
	second := t.do(http.MethodGet, t.url(wire.Polling, sid), nil)
	r1 := <-first
	t.setSent("GET %s, then the same again before the first is answered", t.shown(u))
	t.got = "first: " + r1.String() + "; second: " + second.String()
	ended := func(rp reply) bool { return rp.err == nil && rp.status == http.StatusOK && string(rp.body) == "1" }
	refused := func(rp reply) bool {
		return rp.err == nil && (rp.status == http.StatusBadRequest || rp.status == http.StatusInternalServerError)
	}
	if !(ended(r1) && refused(second)) && !(ended(second) && refused(r1)) {
		t.Fatalf("want one GET answered with a close packet (1) and the other refused (400 or 500)")
	}
	t.wantStatus(t.get(sid), http.StatusBadRequest, "a GET after the duplicate")
}

func suiteAbortedGet(t *T) {
	sid, _, _ := t.open()
	ctx, cancel := context.WithCancel(t.ctx)
	u := t.url(wire.Polling, sid)
	pending := t.background(ctx, http.MethodGet, u, nil)
	t.sleep(suiteLag)
	cancel()
	<-pending
	t.wantStatus(t.get(sid), http.StatusBadRequest, "a GET after the first was aborted")
}

func suiteEchoText(t *T) {
	w := t.mustDial("")
	w.next("the handshake")
	w.text("4hello")
	w.expect("4hello", "the echo")
}

func suiteEchoBinary(t *T) {
	w := t.mustDial("")
	w.next("the handshake")
	data := []byte{1, 2, 3, 4}
	if t.v == wire.Version3 {
		data = []byte{4, 1, 2, 3, 4} // the type byte first
	}
	w.binary(data)
	w.expectBinary(data, "the echo")
}

func suiteInvalidWebSocket(t *T) {
	w := t.mustDial("")
	w.next("the handshake")
	w.text("abc")
	t.noteLateClose(w.closed(0, "after the invalid packet"), "after the invalid packet")
}

func suitePingPongPolling(t *T) {
	sid, _, _ := t.open()
	for range 3 {
		if t.v == wire.Version4 {
			t.wantBody(t.get(sid), "2", "the GET")
			t.wantStatus(t.post(sid, "3"), http.StatusOK, "the pong")
		} else {
			t.wantStatus(t.post(sid, "1:2"), http.StatusOK, "the ping")
			t.wantBody(t.get(sid), "1:3", "the GET")
		}
	}
}

func suiteTimeoutPolling(t *T) {
	sid, _, _ := t.open()
	t.sleep(suitePingInterval + suitePingTimeout + suiteLag)
	if t.v == wire.Version4 {
		t.wantStatus(t.get(sid), http.StatusBadRequest, "a GET after pingInterval + pingTimeout without a pong")
	} else {
		t.wantStatus(t.post(sid, "1:2"), http.StatusBadRequest, "a ping after pingInterval + pingTimeout without one")
	}
}

func suitePingPongWebSocket(t *T) {
	w := t.mustDial("")
	w.next("the handshake")
	for range 3 {
		if t.v == wire.Version4 {
			w.expect("2", "the server's ping")
			w.text("3")
		} else {
			w.text("2")
			w.expect("3", "the pong")
		}
	}
}

func suiteTimeoutWebSocket(t *T) {
	w := t.mustDial("")
	w.closed(0, "a WebSocket left silent")
}

func suiteClosePolling(t *T) {
	sid, _, _ := t.open()
	u := t.url(wire.Polling, sid)
	pending := t.background(t.ctx, http.MethodGet, u, nil)
	t.sleep(suiteLag)
	post := t.post(sid, t.pick("1", "1:1"))
	rp := <-pending
	t.setSent("GET %s, then POST %s", t.shown(u), t.pick("1", "1:1"))
	t.got = "GET: " + rp.String() + "; POST: " + post.String()
	t.wantBody(rp, t.pick("6", "1:6"), "the pending GET")
	t.wantStatus(t.get(sid), http.StatusBadRequest, "a GET after the close")
}

func suiteCloseWebSocket(t *T) {
	w := t.mustDial("")
	w.next("the handshake")
	w.text("1")
	t.noteLateClose(w.closed(0, "after the close packet"), "after the close packet")
}

// probe opens a polling session and a WebSocket for it, and checks the
// probe's answer.
func (t *T) probe() (string, *ws) {
	sid, _, _ := t.open()
	w := t.mustDial(sid)
	w.text("2probe")
	w.expect("3probe", "the probe's answer")
	return sid, w
}

// suiteUpgrade checks the upgrade; echo also checks a message over the
// WebSocket after it (the engine.io suite's server echoes).
func suiteUpgrade(echo bool) func(*T) {
	return func(t *T) {
		sid, w := t.probe()
		if echo {
			t.wantBody(t.get(sid), t.pick("6", "1:6"), "the GET during the upgrade")
		}
		w.text("5")
		if echo {
			w.text("4hello")
			w.expect("4hello", "the echo over the WebSocket")
		}
	}
}

func suiteUpgradeStaleGet(echo bool) func(*T) {
	return func(t *T) {
		sid, w := t.probe()
		w.text("5")
		t.wantStatus(t.get(sid), http.StatusBadRequest, "a GET after the upgrade")
		if echo {
			w.text("4hello")
			w.expect("4hello", "the echo over the WebSocket")
		}
	}
}

func suiteUpgradeSecondWebSocket(echo bool) func(*T) {
	return func(t *T) {
		sid, w := t.probe()
		w.text("5")
		if w2, _ := t.dial(sid); w2 != nil {
			w2.closed(0, "a second WebSocket for the session")
		}
		if echo {
			w.text("4hello")
			w.expect("4hello", "the echo over the first WebSocket")
		}
	}
}

// sameJSON says whether two JSON texts hold the same value.
func sameJSON(a, b []byte) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}
