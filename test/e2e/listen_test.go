package e2e

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/siocli/sio/internal/testserver"
)

// TestListen counts, filters by glob and prints NDJSON, over several
// namespaces.
func TestListen(t *testing.T) {
	for _, v := range versions {
		t.Run("socket.io "+v, func(t *testing.T) {
			s := testserver.Start(t, testserver.Config{Version: v})
			creds := adminCreds(v)
			l := sioStart(t, append([]string{"listen", s.URL(), "news*", "-n", "/", "-n", "/admin", "--count", "3", "-o", "json"}, creds...)...)
			l.waitFor(t, `"type":"connect"`, 2)
			sio(t, "", "emit", s.URL(), "broadcast", "other", "skipped")
			sio(t, "", "emit", s.URL(), "broadcast", "news", "1")
			sio(t, "", append([]string{"emit", s.URL() + "/admin", "broadcast", "newsflash", "2"}, creds...)...)
			sio(t, "", "emit", s.URL(), "broadcast", "news", "3")
			if code := l.wait(t, 15*time.Second); code != 0 {
				t.Fatalf("exit %d: %s", code, l.stderr)
			}
			var events []record
			for _, r := range records(t, l.stdout.String()) {
				if r.Type == "event" {
					events = append(events, r)
				}
			}
			got := ""
			for _, e := range events {
				got += e.NS + " " + e.Event + " " + argsOf(e) + "; "
			}
			if got != "/ news [1]; /admin newsflash [2]; / news [3]; " {
				t.Errorf("events: %s", got)
			}
		})
	}
}

// TestListenRestart keeps listening while the server restarts, and says
// so in lifecycle lines.
func TestListenRestart(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "4"})
	l := sioStart(t, "listen", s.URL(), "--until", "bye", "-o", "json", "--reconnect-delay", "100ms", "--reconnect-delay-max", "200ms")
	l.waitFor(t, `"type":"connect"`, 1)
	s.Stop()
	l.waitFor(t, `"type":"reconnect_attempt"`, 1)
	s.Restart(t)
	l.waitFor(t, `"type":"connect"`, 2)
	sio(t, "", "emit", s.URL(), "broadcast", "bye")
	if code := l.wait(t, 15*time.Second); code != 0 {
		t.Fatalf("exit %d: %s", code, l.stderr)
	}
	var types []string
	for _, r := range records(t, l.stdout.String()) {
		types = append(types, r.Type)
	}
	got := strings.Join(types, " ")
	for _, want := range []string{"close", "disconnect", "reconnect_attempt", "reconnect", "connect", "event"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %s in %s", want, got)
		}
	}
}

// TestListenDuration stops after --duration, and a refused namespace ends
// listen with exit 4.
func TestListenEnds(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "4"})
	r := sio(t, "", "listen", s.URL(), "--duration", "300ms", "--no-lifecycle")
	if r.code != 0 || r.stdout != "" {
		t.Errorf("--duration: exit %d, %q %s", r.code, r.stdout, r.stderr)
	}
	// Nothing listens here: listen says so at once, the cause once on
	// stderr, and each lifecycle line after the first says it is the
	// same cause rather than repeat it.
	r = sio(t, "", "listen", "http://127.0.0.1:1", "-o", "text")
	if r.code != 3 || strings.Count(r.stderr, "connection refused") != 1 || strings.Count(r.stdout, "connection refused") != 1 || !strings.Contains(r.stdout, "connect_error  (the same cause)") {
		t.Errorf("nothing listening: exit %d, %s%s", r.code, r.stdout, r.stderr)
	}
	// --duration bounds the connect too, when waiting for the server.
	start := time.Now()
	r = sio(t, "", "listen", "http://127.0.0.1:1", "--duration", "1s", "--wait-for-server", "-o", "json")
	if r.code != 3 || !strings.Contains(r.stderr, "gave up after 1s") || time.Since(start) > 5*time.Second {
		t.Errorf("--duration with nothing listening: exit %d after %v, %s", r.code, time.Since(start), r.stderr)
	}
	// One namespace of two refused: said, and listen goes on with the
	// other until --duration, then exits 4 for the refusal.
	r = sio(t, "", "listen", s.URL(), "-n", "/", "-n", "/admin", "--on-connect", "emit echo 1", "--duration", "1s", "-o", "json")
	if r.code != 4 || !strings.Contains(r.stderr, "the server refused /admin: Not authorized") || !strings.Contains(r.stderr, "listening on the other namespaces") || !strings.Contains(r.stdout, `"event":"echo-back","args":[1]`) {
		t.Errorf("one of two refused: exit %d, %s%s", r.code, r.stdout, r.stderr)
	}
	r = sio(t, "", "listen", s.URL()+"/admin", "-a", `{"token":"bad"}`)
	if r.code != 4 || !strings.Contains(r.stderr, "Not authorized") {
		t.Errorf("refused: exit %d, %s", r.code, r.stderr)
	}
	r = sio(t, "", "listen", s.URL(), "[bad")
	if r.code != 2 || !strings.Contains(r.stderr, "bad EVENT-GLOB") {
		t.Errorf("bad glob: exit %d, %s", r.code, r.stderr)
	}
}

// TestListenInterrupt: Ctrl-C disconnects cleanly, exits 0, and what was
// received is printed.
func TestListenInterrupt(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "4"})
	l := sioStart(t, "listen", s.URL(), "-o", "json")
	l.waitFor(t, `"type":"connect"`, 1)
	sio(t, "", "emit", s.URL(), "broadcast", "last", "words")
	l.waitFor(t, `"event":"last"`, 1)
	l.cmd.Process.Signal(os.Interrupt)
	if code := l.wait(t, 10*time.Second); code != 0 {
		t.Fatalf("exit %d: %s", code, l.stderr)
	}
	if !strings.Contains(l.stdout.String(), `"reason":"io client disconnect"`) {
		t.Errorf("no clean disconnect in:\n%s", l.stdout)
	}
}

// TestListenGivesUp: when the connection is lost for good (reconnection
// off, or its attempts spent), listen ends with exit 3 and the cause,
// rather than waiting for nothing.
func TestListenGivesUp(t *testing.T) {
	for name, flags := range map[string][]string{
		"--no-reconnect":         {"--no-reconnect"},
		"--reconnect-attempts 2": {"--reconnect-attempts", "2", "--reconnect-delay", "50ms", "--reconnect-delay-max", "100ms"},
	} {
		t.Run(name, func(t *testing.T) {
			s := testserver.Start(t, testserver.Config{Version: "4"})
			l := sioStart(t, append([]string{"listen", s.URL(), "-o", "json"}, flags...)...)
			l.waitFor(t, `"type":"connect"`, 1)
			s.Stop()
			want := "the connection was lost: gave up after 2 reconnection attempts"
			if name == "--no-reconnect" {
				want = "the connection was lost and reconnection is off"
			}
			if code := l.wait(t, 15*time.Second); code != 3 || !strings.Contains(l.stderr.String(), want) {
				t.Fatalf("exit %d: %s", code, l.stderr)
			}
			if name != "--no-reconnect" && strings.Count(l.stdout.String(), `"type":"reconnect_attempt"`) != 2 || name != "--no-reconnect" && !strings.Contains(l.stdout.String(), `"type":"reconnect_failed"`) {
				t.Errorf("the attempts and their end are not all printed:\n%s", l.stdout)
			}
		})
	}
	// Never connected: each attempt and the giving up are printed, and
	// the error says how many attempts there were.
	r := sio(t, "", "listen", "http://127.0.0.1:1", "--wait-for-server", "--reconnect-attempts", "2", "--reconnect-delay", "50ms", "-o", "json")
	if r.code != 3 || !strings.Contains(r.stderr, "gave up after 2 reconnection attempts") || !strings.Contains(r.stdout, `"type":"reconnect_failed"`) {
		t.Errorf("never connected: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestListenReplyOnConnect emits --on-connect after every connect (the
// first, and after the server restarts), answers the server's ack
// requests with --reply, and lists those it did not answer when it ends.
func TestListenReplyOnConnect(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Config{Version: "4"})
	l := sioStart(t, "listen", s.URL(), "-o", "json", "--reconnect-delay", "100ms", "--reconnect-delay-max", "200ms",
		"--on-connect", `emit ask 1 {"q": "?"}`, "--on-connect", "emit echo hi --ack", "--on-connect", "emit ask 2",
		"--reply", `quest*={"answer": "yes"} 42`, "--reply", "nothing=1")
	l.waitFor(t, `"type":"event","ns":"/","event":"answered","args":[{"answer":"yes"},42]`, 1)
	l.waitFor(t, `"type":"ack","ns":"/","event":"echo","args":["hi"]`, 1)
	s.Stop()
	s.Restart(t)
	l.waitFor(t, `"type":"event","ns":"/","event":"answered"`, 4) // two asks a connect, both answered
	l.waitFor(t, `"type":"reply","ns":"/","event":"question"`, 4)
	l.cmd.Process.Signal(os.Interrupt)
	if code := l.wait(t, 10*time.Second); code != 0 {
		t.Fatalf("exit %d: %s", code, l.stderr)
	}
	if strings.Contains(l.stderr.String(), "not answered") {
		t.Errorf("every request was answered, yet: %s", l.stderr)
	}

	r := sio(t, "", "listen", s.URL(), "--on-connect", "emit ask 1", "--duration", "1s", "--no-lifecycle")
	if r.code != 0 || !strings.Contains(r.stderr, "sio: 1 ack request of the server was not answered (--reply answers them):\n  / question (ack ") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
	for _, bad := range [][]string{{"--reply", "question"}, {"--reply", "[=1"}, {"--on-connect", "ns /x"}, {"--on-connect", "emit"}} {
		if r := sio(t, "", append([]string{"listen", s.URL()}, bad...)...); r.code != 2 || !strings.Contains(r.stderr, bad[0]) {
			t.Errorf("%v: exit %d, %s", bad, r.code, r.stderr)
		}
	}
}
