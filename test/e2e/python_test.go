package e2e

import (
	"strings"
	"testing"

	"github.com/siocli/sio/internal/testserver"
)

// TestPythonSocketIO talks to python-socketio (Debian's python3-socketio
// 5.x with python3-engineio 4.x) served by aiohttp and by eventlet, and
// through Flask-SocketIO (python3-flask-socketio 5.x) on eventlet, and
// gets the doctor's verdict.
func TestPythonSocketIO(t *testing.T) {
	for _, mode := range []string{"aiohttp", "eventlet", "flask"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			s := testserver.Start(t, testserver.Config{Python: mode})
			interopChecks(t, s.URL(), `\u20ac`) // Python's json writes ASCII
			r := sio(t, "", "doctor", s.URL(), "--heartbeat-wait", "0", "-o", "text")
			if r.code != 0 || !strings.Contains(r.stdout, "Everything works: polling, the upgrade and WebSocket, Engine.IO 4") {
				t.Errorf("doctor: exit %d, %s %s", r.code, r.stdout, r.stderr)
			}
		})
	}
}
