package sioserver

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/siocli/sio/pkg/engineio/wire"
)

// poll sends a polling request of the session sid (none: a handshake) and
// returns the status and body.
func poll(t *testing.T, u, method, sid, body string) (int, string) {
	t.Helper()
	q := u + "/socket.io/?EIO=4&transport=polling"
	if sid != "" {
		q += "&sid=" + sid
	}
	req, _ := http.NewRequest(method, q, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// sidOf returns the session id of an Engine.IO 4 open packet.
func sidOf(t *testing.T, open string) string {
	t.Helper()
	_, sid, ok := strings.Cut(open, `"sid":"`)
	if !ok {
		t.Fatalf("no sid in %q", open)
	}
	return sid[:strings.IndexByte(sid, '"')]
}

// TestPacketThatDoesNotParse: a Socket.IO packet that does not decode
// closes a polling session as socket.io closes it: the next GET gets a
// noop and the close, and the session ends for a parse error.
func TestPacketThatDoesNotParse(t *testing.T) {
	_, recs, u := start(t, Options{})
	_, open := poll(t, u, "GET", "", "")
	sid := sidOf(t, open)
	if code, body := poll(t, u, "POST", sid, "4abc"); code != 200 || body != "ok" {
		t.Fatalf("POST: %d %s", code, body)
	}
	if code, body := poll(t, u, "GET", sid, ""); code != 200 || body != "6\x1e1" {
		t.Errorf("the GET after the packet: %d %q, want 200 %q", code, body, "6\x1e1")
	}
	if r := recs.waitFor(t, RecordClose, nil); r.Reason != string(wire.ReasonParseError) {
		t.Errorf("the session closed for %q", r.Reason)
	}
	if code, _ := poll(t, u, "GET", sid, ""); code != 400 {
		t.Errorf("a GET after the close: %d", code)
	}
}

// TestConformance: as the socket.io-protocol test suite's server, sio
// serve sends each socket "auth" with its auth payload, answers "message"
// with "message-back", and has only / and /custom.
func TestConformance(t *testing.T) {
	_, _, u := start(t, Options{Conformance: true, Namespaces: []string{"/", "/custom"}})
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(u, "http")+"/socket.io/?EIO=4&transport=websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	read := func() string {
		t.Helper()
		_, b, err := ws.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	read() // open
	for _, step := range []struct{ send, want string }{
		{`40{"token":"123"}`, `40{"sid":"`},
		{"", `42["auth",{"token":"123"}]`},
		{"40/custom,", `40/custom,{"sid":"`},
		{"", `42/custom,["auth",{}]`},
		{"40/random", `44/random,{"message":"Invalid namespace"}`},
		{`42["message",1,"2",{"3":[true]}]`, `42["message-back",1,"2",{"3":[true]}]`},
		{`42["message"]`, `42["message-back"]`},
		{`42/custom,["message","x"]`, `42/custom,["message-back","x"]`},
		{`42456["message-with-ack",1,"2",{"3":[false]}]`, `43456[1,"2",{"3":[false]}]`},
	} {
		if step.send != "" {
			ws.WriteMessage(websocket.TextMessage, []byte(step.send))
		}
		if got := read(); !strings.HasPrefix(got, step.want) {
			t.Errorf("after %q: %q, want %q", step.send, got, step.want)
		}
	}
}

// TestEcho: NewEcho sends each message back as it came, with no Socket.IO
// layer, and reports the sessions.
func TestEcho(t *testing.T) {
	recs := &records{signal: make(chan struct{}, 1)}
	eng := NewEcho(Options{Observe: recs.add})
	hs := httptest.NewServer(eng)
	t.Cleanup(func() {
		eng.Close()
		hs.Close()
	})
	_, open := poll(t, hs.URL, "GET", "", "")
	sid := sidOf(t, open)
	poll(t, hs.URL, "POST", sid, "4abc\x1ebAQID")
	if code, body := poll(t, hs.URL, "GET", sid, ""); code != 200 || body != "4abc\x1ebAQID" {
		t.Errorf("echo: %d %q", code, body)
	}
	if r := recs.waitFor(t, RecordConnection, nil); r.Client != sid || r.Engine != wire.Version4 {
		t.Errorf("connection record %+v", r)
	}
	poll(t, hs.URL, "POST", sid, "1")
	if r := recs.waitFor(t, RecordClose, nil); r.Reason != string(wire.ReasonTransportClose) {
		t.Errorf("close record %+v", r)
	}
}
