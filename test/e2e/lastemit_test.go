package e2e

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/siocli/sio/internal/testserver"
)

var soak = flag.Int("soak", 1, "runs in a row of each way of ending in TestLastEmit (scripts/soak-last-emit.sh runs 100)")

// TestLastEmit: the last event emitted without an ack before sio exits
// reaches the server, whichever way sio ends (emit, emit --then, a script,
// a piped shell), on every server: the event and the namespace's
// DISCONNECT must not leave so that the server drops the event. Each
// emit asks the server to broadcast it; a listener counts what came.
func TestLastEmit(t *testing.T) {
	t.Parallel()
	servers := []struct {
		name  string
		cfg   testserver.Config
		extra []string
	}{
		{"socket.io 1.7", testserver.Config{Version: "1"}, nil},
		{"socket.io 2.0", testserver.Config{Version: "2.0"}, nil},
		{"socket.io 2.5", testserver.Config{Version: "2"}, nil},
		{"socket.io 3.1", testserver.Config{Version: "3"}, nil},
		{"socket.io 4.8", testserver.Config{Version: "4"}, nil},
		// @socket.io/sticky learns a session's worker only once the handshake
		// is answered: now and then a connect fails with "Session ID
		// unknown" (see TestStickyCluster), and sio says so.
		{"socket.io 4.8 behind @socket.io/sticky", testserver.Config{Version: "4", Cluster: 2, Sticky: true}, nil},
		{"socket.io 4.8, two workers without stickiness", testserver.Config{Version: "4", Cluster: 2}, []string{"--transport", "websocket"}},
		{"python-socketio aiohttp", testserver.Config{Python: "aiohttp"}, nil},
		{"python-socketio eventlet", testserver.Config{Python: "eventlet"}, nil},
		{"Flask-SocketIO", testserver.Config{Python: "flask"}, nil},
		{"zishang520", testserver.Config{Go: true}, nil},
		{"zishang520 allowEIO3, as 2.x", testserver.Config{Go: true, AllowEIO3: true}, []string{"--eio", "3"}},
		{"googollee", testserver.Config{Go: true, Googollee: true}, []string{"--transport", "websocket"}}, // its upgrade fails now and then
	}
	for _, srv := range servers {
		t.Run(srv.name, func(t *testing.T) {
			t.Parallel()
			url := testserver.Start(t, srv.cfg).URL()
			l := sioStart(t, "listen", url, "--transport", "websocket", "-o", "json")
			l.waitFor(t, `"type":"connect"`, 1)
			dir := t.TempDir()
			var want []string
			failed := 0
			for i := range *soak {
				for _, way := range []string{"emit", "then", "run", "repl"} {
					tag := fmt.Sprintf("%s-%d", way, i)
					var r result
					switch way {
					case "emit":
						r = sio(t, "", append([]string{"emit", url, "broadcast", "last", `"` + tag + `"`}, srv.extra...)...)
					case "then":
						r = sio(t, "", append([]string{"emit", url, "echo", "1", "--then", `broadcast last "` + tag + `"`}, srv.extra...)...)
					case "run":
						f := filepath.Join(dir, tag+".sio")
						os.WriteFile(f, []byte(`emit broadcast last "`+tag+`"`+"\n"), 0o600)
						r = sio(t, "", append([]string{"run", f, url}, srv.extra...)...)
					case "repl":
						r = sio(t, `emit broadcast last "`+tag+`"`+"\n", append([]string{"repl", url}, srv.extra...)...)
					}
					switch {
					case r.code == 0:
						want = append(want, tag)
					case srv.cfg.Sticky && strings.Contains(r.stderr+r.stdout, "Session ID unknown"): // sio run reports on stdout
						failed++ // said, not lost; nothing was sent
					default:
						t.Errorf("%s: exit %d: %s", tag, r.code, r.stderr)
					}
				}
			}
			if failed > 0 {
				t.Logf("%d connects met @socket.io/sticky's race and said so", failed)
			}
			l.stdout.await(5*time.Second, func(out string) bool { return strings.Count(out, `"event":"last"`) >= len(want) })
			out := l.stdout.String()
			var lost []string
			for _, tag := range want {
				if !strings.Contains(out, `"event":"last","args":["`+tag+`"]`) {
					lost = append(lost, tag)
				}
			}
			if len(lost) > 0 {
				t.Errorf("%d of %d last emits never reached the server: %v", len(lost), len(want), lost)
			}
			t.Logf("%d last emits, all taken", len(want))
		})
	}
}
