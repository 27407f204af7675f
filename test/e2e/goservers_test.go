package e2e

import (
	"strings"
	"testing"

	"github.com/siocli/sio/internal/testserver"
)

// TestGoSocketIO talks to github.com/zishang520/socket.io's v3 server
// (test/goservers), with and without allowEIO3: acks over each transport,
// binary both ways, namespace auth, the server's ack requests, Engine.IO 3
// when allowed, and the doctor's verdict.
func TestGoSocketIO(t *testing.T) {
	for _, eio3 := range []bool{false, true} {
		name := "eio4"
		if eio3 {
			name = "allowEIO3"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := testserver.Start(t, testserver.Config{Go: true, AllowEIO3: eio3})
			for _, tr := range []string{"polling", "websocket", "auto"} {
				r := sio(t, "", "emit", s.URL(), "echo", "1", `{"a":"€"}`, "--ack", "--transport", tr, "-o", "json")
				if r.code != 0 || !strings.Contains(r.stdout, `"type":"ack","ns":"/","event":"echo","args":[1,{"a":"€"}]`) {
					t.Errorf("%s: exit %d, %s %s", tr, r.code, r.stdout, r.stderr)
				}
			}
			r := sio(t, "", "emit", s.URL(), "binary", "--wait", "bin-back", "-o", "json")
			if r.code != 0 || !strings.Contains(r.stdout, `"args":[{"$binary":"AQIDBA=="},"€",{"nested":[{"$binary":"AQIDBA=="},{"$binary":"BQ=="}]}]`) {
				t.Errorf("binary: exit %d, %s %s", r.code, r.stdout, r.stderr)
			}
			r = sio(t, "\x01\x02", "emit", s.URL(), "ack", "@-", "--ack", "-o", "json")
			if r.code != 0 || !strings.Contains(r.stdout, `"args":[{"$binary":"AQI="}]`) {
				t.Errorf("binary to the server: exit %d, %s %s", r.code, r.stdout, r.stderr)
			}
			r = sio(t, "", "emit", s.URL()+"/admin", "echo", "x", "-a", `{"token":"bad"}`)
			if r.code != 4 || !strings.Contains(r.stderr, `Not authorized {"code":42}`) {
				t.Errorf("refused: exit %d, %s", r.code, r.stderr)
			}
			r = sio(t, "", "listen", s.URL(), "--on-connect", "emit ask 7", "--reply", `question="yes"`, "--until", "answered", "-o", "json")
			if r.code != 0 || !strings.Contains(r.stdout, `"event":"answered","args":["yes"]`) {
				t.Errorf("ask: exit %d, %s %s", r.code, r.stdout, r.stderr)
			}
			want := "Everything works: polling, the upgrade and WebSocket, Engine.IO 4"
			if eio3 {
				r = sio(t, "", "emit", s.URL(), "echo", "3", "--ack", "--eio", "3", "-o", "json")
				if r.code != 0 || !strings.Contains(r.stdout, `"args":[3]`) {
					t.Errorf("--eio 3: exit %d, %s %s", r.code, r.stdout, r.stderr)
				}
			}
			r = sio(t, "", "doctor", s.URL(), "--heartbeat-wait", "0", "-o", "text")
			if r.code != 0 || !strings.Contains(r.stdout, want) {
				t.Errorf("doctor: exit %d, %s %s", r.code, r.stdout, r.stderr)
			}
		})
	}
}
