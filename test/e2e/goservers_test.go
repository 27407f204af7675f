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
