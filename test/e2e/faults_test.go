package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
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
	// A reset there (RST, not FIN) is named as such.
	for _, reset := range []bool{false, true} {
		p = testserver.StartFaultProxy(t, strings.TrimPrefix(s.URL(), "http://"))
		if reset {
			p.ResetAfter(280)
		} else {
			p.CutAfter(280)
		}
		start := time.Now()
		r := sio(t, "", "emit", p.URL(), "echo", "1", "--ack", "--transport", "websocket")
		if r.code != 3 || time.Since(start) > 5*time.Second || !strings.Contains(r.stderr, "ended before the server answered the connect to /") || reset && !strings.Contains(r.stderr, "reset by peer") {
			t.Errorf("cut (reset %v) before the namespace connect: exit %d after %v: %s", reset, r.code, time.Since(start), r.stderr)
		}
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

// TestLatency puts 100 ms and up to 50 ms of jitter each way between sio
// and the server: acks come back over every transport, in their time.
func TestLatency(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Config{Version: "4", PingInterval: 500 * time.Millisecond, PingTimeout: time.Second})
	p := testserver.StartFaultProxy(t, strings.TrimPrefix(s.URL(), "http://"))
	p.Latency(100*time.Millisecond, 50*time.Millisecond)
	for _, tr := range []string{"polling", "websocket", "auto"} {
		r := sio(t, "", "emit", p.URL(), "echo", "1", "2", "--ack", "--transport", tr, "-o", "json")
		if r.code != 0 || !strings.Contains(r.stdout, `"args":[1,2]`) {
			t.Errorf("%s: exit %d\n%s%s", tr, r.code, r.stdout, r.stderr)
		}
	}
	// A shell's acks keep the order of its emits across the upgrade.
	var in strings.Builder
	for i := range 10 {
		fmt.Fprintf(&in, "emit --ack echo %d\n", i)
	}
	r := sio(t, in.String(), "repl", p.URL(), "-o", "json")
	last := -1
	for _, m := range regexp.MustCompile(`"type":"ack".*"args":\[(\d+)\]`).FindAllStringSubmatch(r.stdout, -1) {
		n, _ := strconv.Atoi(m[1])
		if n != last+1 {
			t.Errorf("ack %d after %d", n, last)
		}
		last = n
	}
	if r.code != 0 || last != 9 {
		t.Errorf("exit %d, last ack %d\n%s%s", r.code, last, r.stdout, r.stderr)
	}
}

// TestSlowUpload sends a message over a link that takes seconds to carry
// it, to a server whose heartbeat allows 300 ms: the heartbeat packet
// waits behind the message, the server (or, in Engine.IO 3 over
// WebSocket, sio) gives up, and sio says that this is the likely cause
// rather than only that the socket was disconnected.
func TestSlowUpload(t *testing.T) {
	t.Parallel()
	big := filepath.Join(t.TempDir(), "big.json")
	if err := os.WriteFile(big, []byte(`"`+strings.Repeat("x", 500<<10)+`"`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"4", "2"} {
		s := testserver.Start(t, testserver.Config{Version: v, PingInterval: 300 * time.Millisecond, PingTimeout: 300 * time.Millisecond})
		p := testserver.StartFaultProxy(t, strings.TrimPrefix(s.URL(), "http://"))
		p.Bandwidth(100 << 10)
		for _, tr := range []string{"websocket", "polling"} {
			start := time.Now()
			r := sio(t, "", "emit", p.URL(), "echo", "@"+big, "--ack", "--timeout", "10s", "--transport", tr)
			if r.code != 1 || !strings.Contains(r.stderr, "ping timeout") || !strings.Contains(r.stderr, "most likely") || time.Since(start) > 5*time.Second {
				t.Errorf("socket.io %s over %s: exit %d after %v: %s", v, tr, r.code, time.Since(start), r.stderr)
			}
		}
	}
}

// TestResetDuringUpgrade resets every WebSocket once the server has
// switched protocols: a session that began on polling stays there and
// works, saying why the upgrade failed; one that must use WebSocket
// fails at once with the reset named.
func TestResetDuringUpgrade(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Config{Version: "4"})
	p := testserver.StartFaultProxy(t, strings.TrimPrefix(s.URL(), "http://"))
	p.ResetUpgrades()
	r := sio(t, "", "emit", p.URL(), "echo", "1", "--ack", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"type":"ack"`) {
		t.Errorf("polling then upgrade: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = sio(t, "", "listen", p.URL(), "--duration", "1s", "-o", "json")
	if !strings.Contains(r.stdout, `"type":"upgrade_error"`) || !strings.Contains(r.stdout, "reset by peer") || !strings.Contains(r.stdout, `"type":"connect"`) {
		t.Errorf("listen does not show the failed upgrade:\n%s%s", r.stdout, r.stderr)
	}
	start := time.Now()
	r = sio(t, "", "emit", p.URL(), "echo", "1", "--ack", "--transport", "websocket")
	if r.code != 3 || !strings.Contains(r.stderr, "reset by peer") || time.Since(start) > 5*time.Second {
		t.Errorf("websocket only: exit %d after %v: %s", r.code, time.Since(start), r.stderr)
	}
}
