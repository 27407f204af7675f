package eioserver

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/goleak"

	"github.com/siocli/sio/pkg/engineio/wire"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// closes hears why sessions ended.
type closes struct{ ch chan wire.CloseReason }

func start(t *testing.T, opts *Options) (*Server, *closes, string) {
	t.Helper()
	c := &closes{ch: make(chan wire.CloseReason, 256)}
	srv := New(opts, Handler{
		Message: func(s *Session, m wire.Message) { s.Send(m) }, // echo
		Close: func(s *Session, reason wire.CloseReason, err error) {
			select {
			case c.ch <- reason:
			default: // a test that opens many sessions need not hear of each end
			}
		},
	})
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		srv.Close()
		hs.Close()
	})
	return srv, c, hs.URL + "/socket.io/"
}

func (c *closes) wait(t *testing.T) wire.CloseReason {
	t.Helper()
	select {
	case r := <-c.ch:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("the session did not end")
		return ""
	}
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func post(t *testing.T, u, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(u, "text/plain;charset=UTF-8", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// handshake opens a polling session and returns its sid.
func handshake(t *testing.T, u, eio string) string {
	t.Helper()
	code, body := get(t, u+"?EIO="+eio+"&transport=polling")
	if code != 200 {
		t.Fatalf("handshake: %d %s", code, body)
	}
	ps, err := wire.DecodePayload([]byte(body), map[string]wire.Version{"3": wire.Version3, "4": wire.Version4}[eio], false)
	if err != nil || ps[0].Type != wire.PacketOpen {
		t.Fatalf("handshake %q: %v", body, err)
	}
	var open struct{ SID string }
	json.Unmarshal(ps[0].Data, &open)
	return open.SID
}

func TestRequestErrors(t *testing.T) {
	_, _, u := start(t, nil)
	sid := handshake(t, u, "4")
	for _, tc := range []struct{ method, query, want string }{
		{"GET", "?EIO=4&transport=carrier-pigeon", `{"code":0,"message":"Transport unknown"}`},
		{"GET", "?EIO=4&transport=polling&sid=nope", `{"code":1,"message":"Session ID unknown"}`},
		{"POST", "?EIO=4&transport=polling", `{"code":2,"message":"Bad handshake method"}`},
		{"GET", "?EIO=4&transport=websocket&sid=" + sid, `{"code":3,"message":"Bad request: transport=websocket without a WebSocket upgrade"}`},
	} {
		req, _ := http.NewRequest(tc.method, u+tc.query, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || string(b) != tc.want {
			t.Errorf("%s %s: %d %s, want 400 %s", tc.method, tc.query, resp.StatusCode, b, tc.want)
		}
	}
	if code, body := get(t, strings.TrimSuffix(u, "socket.io/")+"elsewhere"); code != 404 || !strings.Contains(body, "/socket.io/") {
		t.Errorf("another path: %d %s", code, body)
	}
}

func TestHandshake(t *testing.T) {
	_, _, u := start(t, &Options{PingInterval: 300 * time.Millisecond, PingTimeout: 200 * time.Millisecond, MaxPayload: 1000})
	_, body := get(t, u+"?EIO=4&transport=polling")
	if !strings.HasPrefix(body, `0{"maxPayload":1000,"pingInterval":300,"pingTimeout":200,"sid":"`) || !strings.HasSuffix(body, `","upgrades":["websocket"]}`) {
		t.Errorf("EIO4 open packet %s", body)
	}
	_, body = get(t, u+"?EIO=3&transport=polling")
	if !strings.Contains(body, `:0{"pingInterval":300,"pingTimeout":200,"sid":"`) || strings.Contains(body, "maxPayload") {
		t.Errorf("EIO3 open packet %s", body)
	}
}

// TestPollingEcho sends messages over polling and reads them back, text
// and binary, in both versions' payload formats.
func TestPollingEcho(t *testing.T) {
	_, _, u := start(t, nil)
	sid := handshake(t, u, "4")
	if code, body := post(t, u+"?EIO=4&transport=polling&sid="+sid, "4héllo\x1ebAQID"); code != 200 || body != "ok" {
		t.Fatalf("POST: %d %s", code, body)
	}
	if _, body := get(t, u+"?EIO=4&transport=polling&sid="+sid); body != "4héllo\x1ebAQID" {
		t.Errorf("EIO4 GET %q", body)
	}
	sid = handshake(t, u, "3")
	post(t, u+"?EIO=3&transport=polling&sid="+sid, "6:4héllo10:b4AQIDBA==")
	resp, err := http.Get(u + "?EIO=3&transport=polling&sid=" + sid)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	ps, err := wire.DecodePayload(b, wire.Version3, resp.Header.Get("Content-Type") == "application/octet-stream")
	if err != nil || len(ps) != 2 || string(ps[0].Data) != "héllo" || !ps[1].Binary || string(ps[1].Data) != "\x01\x02\x03\x04" {
		t.Errorf("EIO3 GET %q (%s): %v %v", b, resp.Header.Get("Content-Type"), ps, err)
	}
}

// TestSessionEnds covers what ends a session: an overlapping GET, an
// oversized POST, a client ping in Engine.IO 4, a missing pong, a close
// packet.
func TestSessionEnds(t *testing.T) {
	_, c, u := start(t, &Options{MaxPayload: 100, PingInterval: 500 * time.Millisecond, PingTimeout: 500 * time.Millisecond})
	q := func(sid string) string { return u + "?EIO=4&transport=polling&sid=" + sid }

	sid := handshake(t, u, "4")
	first := make(chan int)
	go func() { code, _ := get(t, q(sid)); first <- code }()
	if code, _ := get(t, q(sid)); code != 400 && code != 200 {
		t.Errorf("overlapping GET: %d", code)
	}
	<-first
	if r := c.wait(t); r != wire.ReasonTransportError && r != wire.ReasonPingTimeout {
		t.Errorf("overlap ended the session with %q", r)
	}

	sid = handshake(t, u, "4")
	if code, _ := post(t, q(sid), "4"+strings.Repeat("x", 200)); code != 413 {
		t.Errorf("oversized POST: %d", code)
	}
	if r := c.wait(t); r != wire.ReasonTransportError {
		t.Errorf("oversized POST ended the session with %q", r)
	}

	sid = handshake(t, u, "4")
	post(t, q(sid), "2")
	if r := c.wait(t); r != wire.ReasonInvalidHeartbeat {
		t.Errorf("a client ping ended the session with %q", r)
	}

	handshake(t, u, "4") // never answers the ping
	if r := c.wait(t); r != wire.ReasonPingTimeout {
		t.Errorf("no pong ended the session with %q", r)
	}

	sid = handshake(t, u, "3")
	post(t, u+"?EIO=3&transport=polling&sid="+sid, "1:1")
	if r := c.wait(t); r != wire.ReasonTransportClose {
		t.Errorf("a close packet ended the session with %q", r)
	}
}

// TestWebSocketLimits closes a WebSocket session on an oversized message.
func TestWebSocketLimits(t *testing.T) {
	_, c, u := start(t, &Options{MaxPayload: 100})
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(u, "http")+"?EIO=4&transport=websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	_, open, err := ws.ReadMessage()
	if err != nil || !strings.HasPrefix(string(open), `0{`) || !strings.Contains(string(open), `"upgrades":[]`) {
		t.Fatalf("open %s %v", open, err)
	}
	ws.WriteMessage(websocket.TextMessage, []byte("4"+strings.Repeat("x", 200)))
	if r := c.wait(t); r != wire.ReasonTransportError {
		t.Errorf("an oversized message ended the session with %q", r)
	}
}

// TestCORS: by default, as socket.io 4, no CORS headers; with origins
// allowed, those get them, and WebSockets from others are refused.
func TestCORS(t *testing.T) {
	for _, tt := range []struct {
		cors      []string
		origin    string
		allowed   bool // CORS headers on polling
		websocket bool // the WebSocket opens
	}{
		{nil, "https://any.example", false, true},
		{[]string{"https://app.example"}, "https://app.example", true, true},
		{[]string{"https://app.example"}, "https://evil.example", false, false},
		{[]string{"*"}, "https://evil.example", true, true},
	} {
		_, _, url := start(t, &Options{CORS: tt.cors})
		req, _ := http.NewRequest("GET", url+"?EIO=4&transport=polling", nil)
		req.Header.Set("Origin", tt.origin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Access-Control-Allow-Origin") == tt.origin; got != tt.allowed {
			t.Errorf("%v, %s: CORS headers %v", tt.cors, tt.origin, resp.Header)
		}
		ws, wresp, err := websocket.DefaultDialer.Dial(strings.Replace(url, "http", "ws", 1)+"?EIO=4&transport=websocket", http.Header{"Origin": {tt.origin}})
		if ws != nil {
			ws.Close()
		}
		if (err == nil) != tt.websocket {
			t.Errorf("%v, %s: WebSocket %v %v", tt.cors, tt.origin, err, wresp)
		}
	}
}
