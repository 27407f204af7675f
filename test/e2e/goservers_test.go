package e2e

import (
	"strings"
	"testing"

	"github.com/siocli/sio/internal/testserver"
)

// TestGoSocketIO talks to github.com/zishang520/socket.io's v3 server
// (test/goservers), with and without allowEIO3, and gets the doctor's
// verdict.
func TestGoSocketIO(t *testing.T) {
	for _, eio3 := range []bool{false, true} {
		name := "eio4"
		if eio3 {
			name = "allowEIO3"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := testserver.Start(t, testserver.Config{Go: true, AllowEIO3: eio3})
			interopChecks(t, s.URL(), "€")
			if eio3 {
				r := sio(t, "", "emit", s.URL(), "echo", "3", "--ack", "--eio", "3", "-o", "json")
				if r.code != 0 || !strings.Contains(r.stdout, `"args":[3]`) {
					t.Errorf("--eio 3: exit %d, %s %s", r.code, r.stdout, r.stderr)
				}
			}
			r := sio(t, "", "doctor", s.URL(), "--heartbeat-wait", "0", "-o", "text")
			if r.code != 0 || !strings.Contains(r.stdout, "Everything works: polling, the upgrade and WebSocket, Engine.IO 4") {
				t.Errorf("doctor: exit %d, %s %s", r.code, r.stdout, r.stderr)
			}
		})
	}
}

// TestGoogollee talks to github.com/googollee/go-socket.io (Engine.IO 3,
// Socket.IO protocol 4). Its handlers take a fixed number of typed
// arguments, so the shared checks become these: echo takes one argument
// and echo2 two; it counts a polling payload's length in bytes where the
// protocol counts characters, so non-ASCII text goes over WebSocket only;
// it refuses a namespace by ending the session; and its side of the
// upgrade from polling ends the session now and then (about one in ten
// here: "invalid sid", or no answer), so the checks name their transport.
func TestGoogollee(t *testing.T) {
	t.Parallel()
	url := testserver.Start(t, testserver.Config{Go: true, Googollee: true}).URL()
	for _, tc := range []struct{ tr, arg string }{{"polling", `"x"`}, {"websocket", `"x€"`}} {
		r := sio(t, "", "emit", url, "echo", tc.arg, "--ack", "--transport", tc.tr, "-o", "json")
		if r.code != 0 || !strings.Contains(r.stdout, `"event":"echo","args":[`+tc.arg+`]`) {
			t.Errorf("%s: exit %d, %s %s", tc.tr, r.code, r.stdout, r.stderr)
		}
	}
	r := sio(t, "", "emit", url, "echo2", "1", `{"a":2}`, "--ack", "--transport", "websocket", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"args":[1,{"a":2}]`) {
		t.Errorf("echo2: exit %d, %s %s", r.code, r.stdout, r.stderr)
	}
	r = sio(t, "", "emit", url, "binary", "--wait", "bin-back", "--transport", "websocket", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"args":[{"$binary":"AQIDBA=="},"€",{"nested":[{"$binary":"AQIDBA=="},{"$binary":"BQ=="}]}]`) {
		t.Errorf("binary: exit %d, %s %s", r.code, r.stdout, r.stderr)
	}
	r = sio(t, "", "emit", url, "binary", "--ack", "--transport", "polling", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"args":[{"$binary":"AQIDBA=="}]`) {
		t.Errorf("binary ack: exit %d, %s %s", r.code, r.stdout, r.stderr)
	}
	r = sio(t, "", "emit", url+"/admin", "echo", `"x"`, "--ack", "-q", "token=ok", "--transport", "websocket", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"ns":"/admin","event":"echo","args":["x"]`) {
		t.Errorf("/admin by query: exit %d, %s %s", r.code, r.stdout, r.stderr)
	}
	r = sio(t, "", "emit", url+"/admin", "echo", `"x"`, "-q", "token=bad", "--transport", "websocket", "--connect-timeout", "2s")
	if r.code != 3 || !strings.Contains(r.stderr, "/admin") {
		t.Errorf("refused: exit %d, %s", r.code, r.stderr)
	}
	r = sio(t, "", "listen", url, "--on-connect", "emit ask 7", "--reply", `question="yes"`, "--until", "answered", "--transport", "websocket", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"event":"answered","args":["yes"]`) {
		t.Errorf("ask: exit %d, %s %s", r.code, r.stdout, r.stderr)
	}
	// The doctor: its stickiness probe keeps a GET in flight, as
	// clients do (googollee holds POSTs until what it queued is
	// fetched). The upgrade step is left out: its side fails now and then.
	rep := doctor(t, url, "--heartbeat-wait", "0")
	for _, step := range []string{"handshake", "sticky", "websocket", "namespace"} {
		if st, facts := rep.step(step); st != "ok" {
			t.Errorf("doctor's %s: %s %v", step, st, facts)
		}
	}
}
