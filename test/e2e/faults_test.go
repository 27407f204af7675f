package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/siocli/sio/internal/testserver"
)

// TestHalfOpen pauses the link both ways without closing it: the client
// finds out within pingInterval + pingTimeout (a ping timeout), and
// reconnects once the link is back.
func TestHalfOpen(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Config{Version: "4", PingInterval: 500 * time.Millisecond, PingTimeout: 500 * time.Millisecond})
	p := testserver.StartFaultProxy(t, strings.TrimPrefix(s.URL(), "http://"))
	for _, tr := range []string{"websocket", "polling"} {
		t.Run(tr, func(t *testing.T) {
			l := sioStart(t, "listen", p.URL(), "--transport", tr, "--reconnect-delay", "200ms", "--reconnect-delay-max", "500ms", "-o", "json")
			l.waitFor(t, `"type":"connect"`, 1)
			p.Pause()
			paused := time.Now()
			l.waitFor(t, `"reason":"ping timeout"`, 1)
			if d := time.Since(paused); d > 5*time.Second {
				t.Errorf("the half-open link was found after %v", d)
			}
			p.Resume()
			l.waitFor(t, `"type":"connect"`, 2)
			l.cmd.Process.Kill()
		})
	}
}

// TestCutEarly closes every connection a few bytes into the server's
// answer: the command fails at once, with the cause, not at its timeout.
func TestCutEarly(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Config{Version: "4"})
	p := testserver.StartFaultProxy(t, strings.TrimPrefix(s.URL(), "http://"))
	p.CutAfter(60)
	for _, tr := range []string{"websocket", "polling"} {
		start := time.Now()
		r := sio(t, "", "emit", p.URL(), "echo", "1", "--ack", "--transport", tr)
		if r.code != 3 || time.Since(start) > 5*time.Second || !strings.Contains(r.stderr, "could not connect") {
			t.Errorf("%s: exit %d after %v: %s", tr, r.code, time.Since(start), r.stderr)
		}
	}
	// Cut after the WebSocket's open packet (280 bytes: the 101 and the
	// open frame of socket.io 4.8), before the namespace connect's answer.
	p = testserver.StartFaultProxy(t, strings.TrimPrefix(s.URL(), "http://"))
	p.CutAfter(280)
	start := time.Now()
	r := sio(t, "", "emit", p.URL(), "echo", "1", "--ack", "--transport", "websocket")
	if r.code != 3 || time.Since(start) > 5*time.Second || !strings.Contains(r.stderr, "ended before the server answered the connect to /") {
		t.Errorf("cut before the namespace connect: exit %d after %v: %s", r.code, time.Since(start), r.stderr)
	}
}
