package e2e

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

var listeningAt = regexp.MustCompile(`listening on (https?://[0-9.:]+/[a-z.]+/) `)

// serveAt starts sio serve on a free port with args and returns the URL
// of its Engine.IO path.
func serveAt(t *testing.T, args ...string) string {
	t.Helper()
	s := sioStart(t, append([]string{"serve", "--port", "0"}, args...)...)
	var u string
	if !s.stderr.await(15*time.Second, func(out string) bool {
		m := listeningAt.FindStringSubmatch(out)
		if m != nil {
			u = m[1]
		}
		return m != nil
	}) {
		t.Fatalf("sio serve did not say where it listens; stderr:\n%s", s.stderr)
	}
	return u
}

// request sends a request and returns the status and body.
func request(t *testing.T, method, u, body string) (int, string) {
	t.Helper()
	code, b, err := requestErr(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	return code, b
}

// requestErr is request for goroutines: it returns the error.
func requestErr(method, u, body string) (int, string, error) {
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

// openPolling opens an Engine.IO 4 polling session at u and returns its
// sid and its handshake's fields.
func openPolling(t *testing.T, u string) (string, map[string]any) {
	t.Helper()
	code, body := request(t, "GET", u+"?EIO=4&transport=polling", "")
	var hs map[string]any
	if code != 200 || !strings.HasPrefix(body, "0") || json.Unmarshal([]byte(body[1:]), &hs) != nil {
		t.Fatalf("handshake: %d %q", code, body)
	}
	sid, _ := hs["sid"].(string)
	return sid, hs
}

// wsDial opens a WebSocket at the http URL u.
func wsDial(t *testing.T, u string) (*websocket.Conn, error) {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(u, "http"), nil)
	if ws != nil {
		t.Cleanup(func() { ws.Close() })
		ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	}
	return ws, err
}

// closeCode reads ws until its close frame and returns the code (1006
// when the connection dropped without one).
func closeCode(t *testing.T, ws *websocket.Conn) int {
	t.Helper()
	for {
		_, _, err := ws.ReadMessage()
		var ce *websocket.CloseError
		switch {
		case err == nil:
		case errors.As(err, &ce):
			return ce.Code
		default:
			t.Fatalf("no close frame: %v", err)
		}
	}
}

// TestServeConformanceEngineIO checks, with plain requests, the points of
// the Engine.IO protocol where the official suite found sio serve wrong,
// against sio serve --conformance engine.io, the suite's echo server.
func TestServeConformanceEngineIO(t *testing.T) {
	t.Parallel()
	u := serveAt(t, "--conformance", "engine.io")
	if !strings.HasSuffix(u, "/engine.io/") {
		t.Fatalf("serving at %s", u)
	}
	q := func(sid string) string { return u + "?EIO=4&transport=polling&sid=" + sid }

	t.Run("handshake", func(t *testing.T) {
		t.Parallel()
		_, hs := openPolling(t, u)
		if len(hs) != 5 || hs["pingInterval"] != 300.0 || hs["pingTimeout"] != 200.0 || hs["maxPayload"] != 1e6 {
			t.Errorf("handshake %v", hs)
		}
		for _, query := range []string{"?transport=polling", "?EIO=abc&transport=polling"} {
			if code, body := request(t, "GET", u+query, ""); code != 400 || body != `{"code":5,"message":"Unsupported protocol version"}` {
				t.Errorf("%s: %d %s", query, code, body)
			}
		}
	})

	t.Run("echo", func(t *testing.T) {
		t.Parallel()
		sid, _ := openPolling(t, u)
		request(t, "POST", q(sid), "4hello\x1ebAQIDBA==")
		if code, body := request(t, "GET", q(sid), ""); code != 200 || body != "4hello\x1ebAQIDBA==" {
			t.Errorf("echo over polling: %d %q", code, body)
		}
	})

	t.Run("close", func(t *testing.T) {
		t.Parallel()
		sid, _ := openPolling(t, u)
		var wg sync.WaitGroup
		var code int
		var body string
		var err error
		wg.Add(1)
		go func() { defer wg.Done(); code, body, err = requestErr("GET", q(sid), "") }()
		request(t, "POST", q(sid), "1")
		wg.Wait()
		if err != nil || code != 200 || body != "6" {
			t.Errorf("the GET beside the close packet: %d %q %v, want 200 \"6\"", code, body, err)
		}
		if code, _ := request(t, "GET", q(sid), ""); code != 400 {
			t.Errorf("a GET after the close: %d", code)
		}
	})

	t.Run("upgrade", func(t *testing.T) {
		t.Parallel()
		sid, _ := openPolling(t, u)
		ws, err := wsDial(t, u+"?EIO=4&transport=websocket&sid="+sid)
		if err != nil {
			t.Fatal(err)
		}
		ws.WriteMessage(websocket.TextMessage, []byte("2probe"))
		if _, b, err := ws.ReadMessage(); err != nil || string(b) != "3probe" {
			t.Fatalf("probe: %q %v", b, err)
		}
		ws.WriteMessage(websocket.TextMessage, []byte("5"))
		if code, body := request(t, "GET", q(sid), ""); code != 400 {
			t.Errorf("a GET after the upgrade packet: %d %q", code, body)
		}
		second, err := wsDial(t, u+"?EIO=4&transport=websocket&sid="+sid)
		if err != nil {
			t.Fatalf("a second WebSocket for the session: %v", err)
		}
		closeCode(t, second)
		ws.WriteMessage(websocket.TextMessage, []byte("4hello"))
		if _, b, err := ws.ReadMessage(); err != nil || string(b) != "4hello" {
			t.Errorf("echo after the upgrade: %q %v", b, err)
		}
	})

	t.Run("ping timeout", func(t *testing.T) {
		t.Parallel()
		sid, _ := openPolling(t, u)
		time.Sleep(500 * time.Millisecond) // pingInterval+pingTimeout, the time the test is about
		if code, body := request(t, "GET", q(sid), ""); code != 400 {
			t.Errorf("a GET at pingInterval+pingTimeout: %d %q", code, body)
		}
	})

	t.Run("close frame", func(t *testing.T) {
		t.Parallel()
		ws, err := wsDial(t, u+"?EIO=4&transport=websocket")
		if err != nil {
			t.Fatal(err)
		}
		ws.ReadMessage() // open
		ws.WriteMessage(websocket.TextMessage, []byte("abc"))
		if code := closeCode(t, ws); code != websocket.CloseProtocolError {
			t.Errorf("a frame that does not decode: close code %d", code)
		}
	})
}

// TestServeConformanceSocketIO checks sio serve --conformance socket.io,
// the socket.io-protocol suite's server, and --eio.
func TestServeConformanceSocketIO(t *testing.T) {
	t.Parallel()
	u := serveAt(t, "--conformance", "socket.io", "--eio", "4")

	t.Run("namespaces", func(t *testing.T) {
		t.Parallel()
		ws, err := wsDial(t, u+"?EIO=4&transport=websocket")
		if err != nil {
			t.Fatal(err)
		}
		ws.ReadMessage() // open
		for _, step := range []struct{ send, want string }{
			{`40{"token":"123"}`, `40{"sid":"`},
			{"", `42["auth",{"token":"123"}]`},
			{"40/custom,", `40/custom,{"sid":"`},
			{"", `42/custom,["auth",{}]`},
			{"40/random", `44/random,{"message":"Invalid namespace"}`},
			{`42["message",1]`, `42["message-back",1]`},
		} {
			if step.send != "" {
				ws.WriteMessage(websocket.TextMessage, []byte(step.send))
			}
			for {
				_, b, err := ws.ReadMessage()
				if err != nil {
					t.Fatalf("after %q: %v", step.send, err)
				}
				if string(b) == "2" {
					ws.WriteMessage(websocket.TextMessage, []byte("3"))
					continue
				}
				if !strings.HasPrefix(string(b), step.want) {
					t.Errorf("after %q: %q, want %q", step.send, b, step.want)
				}
				break
			}
		}
	})

	t.Run("parse error", func(t *testing.T) {
		t.Parallel()
		sid, _ := openPolling(t, u)
		q := u + "?EIO=4&transport=polling&sid=" + sid
		request(t, "POST", q, "4abc")
		if code, body := request(t, "GET", q, ""); code != 200 || body != "6\x1e1" {
			t.Errorf("the GET after a packet that does not parse: %d %q, want 200 %q", code, body, "6\x1e1")
		}
	})

	t.Run("eio", func(t *testing.T) {
		t.Parallel()
		if code, body := request(t, "GET", u+"?EIO=3&transport=polling", ""); code != 400 || !strings.Contains(body, `"code":5`) {
			t.Errorf("EIO=3 on --eio 4: %d %s", code, body)
		}
	})
}
