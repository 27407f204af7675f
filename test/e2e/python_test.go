package e2e

import (
	"strings"
	"testing"

	"github.com/siocli/sio/internal/testserver"
)

// TestPythonSocketIO talks to python-socketio (Debian's python3-socketio
// 5.x with python3-engineio 4.x) served by aiohttp and by eventlet: acks
// over each transport, binary both ways, namespace auth, the server's ack
// requests, and the doctor's verdict.
func TestPythonSocketIO(t *testing.T) {
	for _, mode := range []string{"aiohttp", "eventlet"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			s := testserver.Start(t, testserver.Config{Python: mode})
			for _, tr := range []string{"polling", "websocket", "auto"} {
				r := sio(t, "", "emit", s.URL(), "echo", "1", `{"a":"€"}`, "--ack", "--transport", tr, "-o", "json")
				if r.code != 0 || !strings.Contains(r.stdout, `"type":"ack","ns":"/","event":"echo","args":[1,{"a":"\u20ac"}]`) {
					t.Errorf("%s: exit %d, %s %s", tr, r.code, r.stdout, r.stderr)
				}
			}
			r := sio(t, "", "emit", s.URL(), "binary", "--wait", "bin-back", "-o", "json")
			if r.code != 0 || !strings.Contains(r.stdout, `"args":[{"$binary":"AQIDBA=="},"\u20ac",{"nested":[{"$binary":"AQIDBA=="},{"$binary":"BQ=="}]}]`) {
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
			r = sio(t, "", "emit", s.URL()+"/admin", "echo", "x", "--ack", "-a", `{"token":"ok"}`, "-o", "json")
			if r.code != 0 || !strings.Contains(r.stdout, `"ns":"/admin","event":"echo","args":["x"]`) {
				t.Errorf("/admin: exit %d, %s %s", r.code, r.stdout, r.stderr)
			}
			r = sio(t, "", "listen", s.URL(), "--on-connect", "emit ask 7", "--reply", `question="yes"`, "--until", "answered", "-o", "json")
			if r.code != 0 || !strings.Contains(r.stdout, `"event":"answered","args":["yes"]`) {
				t.Errorf("ask: exit %d, %s %s", r.code, r.stdout, r.stderr)
			}
			r = sio(t, "", "doctor", s.URL(), "--heartbeat-wait", "0")
			if r.code != 0 || !strings.Contains(r.stdout, "Everything works: polling, the upgrade and WebSocket, Engine.IO 4") {
				t.Errorf("doctor: exit %d, %s %s", r.code, r.stdout, r.stderr)
			}
		})
	}
}
