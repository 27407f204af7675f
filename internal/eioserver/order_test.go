package eioserver

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/siocli/sio/pkg/engineio/wire"
)

// fetch is get or post for goroutines: it reports an error rather than
// failing the test.
func fetch(method, u, body string) (int, string, error) {
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// dialWS opens a WebSocket at the Engine.IO URL u with query.
func dialWS(t *testing.T, u, query string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	ws, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(u, "http")+query, nil)
	if ws != nil {
		t.Cleanup(func() { ws.Close() })
	}
	return ws, resp, err
}

// upgrade moves the polling session sid to a WebSocket: probe, then the
// upgrade packet.
func upgrade(t *testing.T, u, eio, sid string) *websocket.Conn {
	t.Helper()
	ws, _, err := dialWS(t, u, "?EIO="+eio+"&transport=websocket&sid="+sid)
	if err != nil {
		t.Fatal(err)
	}
	ws.WriteMessage(websocket.TextMessage, []byte("2probe"))
	if _, b, err := ws.ReadMessage(); err != nil || string(b) != "3probe" {
		t.Fatalf("probe answered %q, %v", b, err)
	}
	ws.WriteMessage(websocket.TextMessage, []byte("5"))
	return ws
}

// readClose reads ws until the server closes it and returns the close
// frame's code: websocket.CloseAbnormalClosure (1006) when none came.
func readClose(t *testing.T, ws *websocket.Conn) int {
	t.Helper()
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, _, err := ws.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		t.Fatalf("no close frame: %v", err)
	}
}

// TestVersions: a handshake asking for an Engine.IO version the server
// does not offer, or for none it knows (EIO missing, "abc"), is refused
// with engine.io's code 5, over either transport; the versions offered
// open sessions.
func TestVersions(t *testing.T) {
	t.Parallel()
	const refusal = `{"code":5,"message":"Unsupported protocol version"}`
	for _, tc := range []struct {
		offered  []wire.Version
		ok, nope []string
	}{
		{nil, []string{"3", "4"}, []string{"", "abc", "5", "04"}},
		{[]wire.Version{wire.Version4}, []string{"4"}, []string{"3", ""}},
		{[]wire.Version{wire.Version3}, []string{"3"}, []string{"4", ""}},
	} {
		_, _, u := start(t, &Options{Versions: tc.offered})
		for _, eio := range tc.ok {
			if code, body := get(t, u+"?EIO="+eio+"&transport=polling"); code != 200 {
				t.Errorf("offered %v, EIO=%s: %d %s", tc.offered, eio, code, body)
			}
			if _, resp, err := dialWS(t, u, "?EIO="+eio+"&transport=websocket"); err != nil {
				t.Errorf("offered %v, EIO=%s over WebSocket: %v %v", tc.offered, eio, err, resp)
			}
		}
		for _, eio := range tc.nope {
			query := "?transport=polling"
			if eio != "" {
				query += "&EIO=" + eio
			}
			if code, body := get(t, u+query); code != 400 || body != refusal {
				t.Errorf("offered %v, %s: %d %s, want 400 %s", tc.offered, query, code, body, refusal)
			}
			_, resp, err := dialWS(t, u, strings.Replace(query, "polling", "websocket", 1))
			if err == nil || resp == nil || resp.StatusCode != 400 {
				t.Errorf("offered %v, %s over WebSocket: %v %v", tc.offered, query, err, resp)
			} else if b, _ := io.ReadAll(resp.Body); string(b) != refusal {
				t.Errorf("offered %v, %s over WebSocket: %s", tc.offered, query, b)
			}
		}
	}
}

// TestClientClose: a close packet POSTed answers the session's GET with a
// noop, whether the GET waited already, crossed the POST on the way (the
// two sent at once, handled in either order) or came right after; then
// the session is gone.
func TestClientClose(t *testing.T) {
	t.Parallel()
	_, c, u := start(t, nil)
	for _, v := range []struct{ eio, close, noop string }{{"4", "1", "6"}, {"3", "1:1", "1:6"}} {
		q := func(sid string) string { return u + "?EIO=" + v.eio + "&transport=polling&sid=" + sid }

		// The POST first.
		sid := handshake(t, u, v.eio)
		if code, body := post(t, q(sid), v.close); code != 200 || body != "ok" {
			t.Fatalf("EIO=%s close: %d %s", v.eio, code, body)
		}
		if code, body := get(t, q(sid)); code != 200 || body != v.noop {
			t.Errorf("EIO=%s, a GET after the close: %d %q, want 200 %q", v.eio, code, body, v.noop)
		}
		if r := c.wait(t); r != wire.ReasonTransportClose {
			t.Errorf("EIO=%s: the close packet ended the session with %q", v.eio, r)
		}
		if code, _ := get(t, q(sid)); code != 400 {
			t.Errorf("EIO=%s, a second GET after the close: %d", v.eio, code)
		}

		// Both at once, as the reference test suite sends them.
		for i := 0; i < 10; i++ {
			sid := handshake(t, u, v.eio)
			var wg sync.WaitGroup
			var code int
			var body string
			var err error
			wg.Add(1)
			go func() { defer wg.Done(); code, body, err = fetch("GET", q(sid), "") }()
			if code, body := post(t, q(sid), v.close); code != 200 {
				t.Fatalf("EIO=%s close: %d %s", v.eio, code, body)
			}
			wg.Wait()
			if err != nil || code != 200 || body != v.noop {
				t.Errorf("EIO=%s, a GET sent with the close: %d %q %v, want 200 %q", v.eio, code, body, err, v.noop)
			}
			c.wait(t)
			if code, _ := get(t, q(sid)); code != 400 {
				t.Errorf("EIO=%s, a GET after the close: %d", v.eio, code)
			}
		}
	}
}

// TestUpgradeOrder: a GET sent after the upgrade packet is refused, even
// when it reaches the server before the WebSocket's packet does; one sent
// after the probe's answer and before the upgrade packet gets a noop.
func TestUpgradeOrder(t *testing.T) {
	t.Parallel()
	_, _, u := start(t, nil)
	for i := 0; i < 20; i++ {
		sid := handshake(t, u, "4")
		ws := upgrade(t, u, "4", sid)
		if code, body := get(t, u+"?EIO=4&transport=polling&sid="+sid); code != 400 {
			t.Fatalf("run %d: a GET after the upgrade packet: %d %s", i, code, body)
		}
		ws.WriteMessage(websocket.TextMessage, []byte("4hello"))
		if _, b, err := ws.ReadMessage(); err != nil || string(b) != "4hello" {
			t.Fatalf("run %d: echo over the upgraded WebSocket: %q %v", i, b, err)
		}
	}

	sid := handshake(t, u, "4")
	ws, _, err := dialWS(t, u, "?EIO=4&transport=websocket&sid="+sid)
	if err != nil {
		t.Fatal(err)
	}
	ws.WriteMessage(websocket.TextMessage, []byte("2probe"))
	ws.ReadMessage()
	if code, body := get(t, u+"?EIO=4&transport=polling&sid="+sid); code != 200 || body != "6" {
		t.Errorf("a GET between the probe and the upgrade: %d %q", code, body)
	}
	ws.WriteMessage(websocket.TextMessage, []byte("5"))
	ws.WriteMessage(websocket.TextMessage, []byte("4hello"))
	if _, b, err := ws.ReadMessage(); err != nil || string(b) != "4hello" {
		t.Fatalf("echo after the upgrade: %q %v", b, err)
	}
}

// TestSecondWebSocket: a WebSocket for a session already upgraded opens
// and is closed at once, as engine.io does; the first goes on.
func TestSecondWebSocket(t *testing.T) {
	t.Parallel()
	_, _, u := start(t, nil)
	for _, eio := range []string{"3", "4"} {
		sid := handshake(t, u, eio)
		ws := upgrade(t, u, eio, sid)
		second, resp, err := dialWS(t, u, "?EIO="+eio+"&transport=websocket&sid="+sid)
		if err != nil {
			t.Fatalf("EIO=%s: the second WebSocket: %v %v", eio, err, resp)
		}
		readClose(t, second)
		ws.WriteMessage(websocket.TextMessage, []byte("4hello"))
		if _, b, err := ws.ReadMessage(); err != nil || string(b) != "4hello" {
			t.Errorf("EIO=%s: echo over the first WebSocket: %q %v", eio, b, err)
		}
	}
}

// TestPingTimeoutOnTime: at pingInterval+pingTimeout after the handshake's
// answer, a session that did not answer its ping is gone: a request then
// is refused, never given the ping or taken.
func TestPingTimeoutOnTime(t *testing.T) {
	t.Parallel()
	const interval, timeout = 20 * time.Millisecond, 20 * time.Millisecond
	_, _, u := start(t, &Options{PingInterval: interval, PingTimeout: timeout})
	for i := 0; i < 10; i++ {
		for _, v := range []struct{ eio, method, body string }{{"4", "GET", ""}, {"3", "POST", "1:2"}} {
			_, body := get(t, u+"?EIO="+v.eio+"&transport=polling")
			time.Sleep(interval + timeout) // the time the test is about
			sid := body[strings.Index(body, `"sid":"`)+7:]
			sid = sid[:strings.IndexByte(sid, '"')]
			code, body, err := fetch(v.method, u+"?EIO="+v.eio+"&transport=polling&sid="+sid, v.body)
			if err != nil || code != 400 {
				t.Errorf("EIO=%s: a %s at pingInterval+pingTimeout: %d %q %v, want 400", v.eio, v.method, code, body, err)
			}
		}
	}
}

// TestWebSocketCloseFrame: a WebSocket the server ends gets a close frame,
// with a code that says why, never a dropped connection (1006).
func TestWebSocketCloseFrame(t *testing.T) {
	t.Parallel()
	_, _, u := start(t, &Options{PingInterval: 50 * time.Millisecond, PingTimeout: 50 * time.Millisecond})
	ws, _, err := dialWS(t, u, "?EIO=4&transport=websocket")
	if err != nil {
		t.Fatal(err)
	}
	ws.ReadMessage() // open
	ws.WriteMessage(websocket.TextMessage, []byte("abc"))
	if code := readClose(t, ws); code != websocket.CloseProtocolError {
		t.Errorf("a frame that does not decode: close code %d, want %d", code, websocket.CloseProtocolError)
	}
	ws, _, err = dialWS(t, u, "?EIO=4&transport=websocket")
	if err != nil {
		t.Fatal(err)
	}
	if code := readClose(t, ws); code != websocket.CloseNormalClosure {
		t.Errorf("no pong: close code %d, want %d", code, websocket.CloseNormalClosure)
	}
}

// TestOpenDelay: with OpenDelay, a session opened over WebSocket gets its
// open packet that long after the 101.
func TestOpenDelay(t *testing.T) {
	t.Parallel()
	const delay = 50 * time.Millisecond
	_, _, u := start(t, &Options{OpenDelay: delay})
	ws, _, err := dialWS(t, u, "?EIO=4&transport=websocket")
	if err != nil {
		t.Fatal(err)
	}
	opened := time.Now()
	if _, b, err := ws.ReadMessage(); err != nil || b[0] != '0' {
		t.Fatalf("open packet %q %v", b, err)
	}
	if took := time.Since(opened); took < delay*8/10 {
		t.Errorf("the open packet came %v after the 101, want about %v", took, delay)
	}
}
