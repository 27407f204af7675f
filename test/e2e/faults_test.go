package e2e

import (
	"fmt"
	"os/exec"
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

// TestEmitsAcrossRestart pipes an emit with an ack into the shell every
// 50 ms while the server restarts: each one is acked or reported failed,
// none is lost without a word.
func TestEmitsAcrossRestart(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Config{Version: "4"})
	cmd := exec.Command(sioBin, "repl", s.URL(), "-o", "json", "--reconnect-delay", "100ms", "--reconnect-delay-max", "200ms")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out, errb lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	const n = 40
	for i := range n {
		fmt.Fprintf(in, "emit --ack --timeout 5s echo %d\n", i)
		time.Sleep(50 * time.Millisecond)
		if i == 10 {
			s.Restart(t)
		}
	}
	in.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("the shell did not end:\n%s\n%s", out.String(), errb.String())
	}
	acks := strings.Count(out.String(), `"type":"ack"`)
	failures := strings.Count(errb.String(), "error: ")
	if acks+failures != n || acks == 0 {
		t.Errorf("%d acks and %d failures for %d emits:\n%s\n%s", acks, failures, n, out.String(), errb.String())
	}
	t.Logf("%d acked, %d reported failed", acks, failures)
}
