package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/siocli/sio/internal/testserver"
)

// slack is what a command may take past its bound: the race detector's
// build starting, and a busy machine. The bounds are upper bounds, never
// expectations.
const slack = 3 * time.Second

// silentServer accepts TCP connections on loopback and never answers,
// reading what comes and dropping it, until the test ends. It returns
// its URL.
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go io.Copy(io.Discard, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return "http://" + ln.Addr().String()
}

// background is a run of sio started at once, whatever go test's
// -parallel allows, for tests whose cases mostly wait: their runs start
// together and each case waits for its own. At most cap(slots) run at a
// time.
type background struct {
	done chan struct{}
	r    result
	took time.Duration // from its start, not from the wait for a slot
	err  error
}

var slots = make(chan struct{}, 8)

// startSio starts sio in dir (the test's own when ""), with env added to
// the environment and stdin; the test waits for it before it ends.
func startSio(t *testing.T, dir string, env []string, stdin string, args ...string) *background {
	b := &background{done: make(chan struct{})}
	go func() {
		defer close(b.done)
		slots <- struct{}{}
		defer func() { <-slots }()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, sioBin, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), env...)
		cmd.Stdin = strings.NewReader(stdin)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		began := time.Now()
		err := cmd.Run()
		b.took = time.Since(began)
		b.r = result{stdout: out.String(), stderr: errb.String()}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			b.r.code = ee.ExitCode()
		} else if err != nil {
			b.err = fmt.Errorf("running sio %q: %w", args, err)
		}
	}()
	t.Cleanup(func() { <-b.done })
	return b
}

// wait waits for the run to end, and says what it gave and how long it
// took.
func (b *background) wait(t *testing.T) (result, time.Duration) {
	t.Helper()
	<-b.done
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.r, b.took
}

// TestEveryWaitBounded sweeps every command against a server that takes
// the connection and never answers: each ends within its bound (the
// connect timeout; for the doctor, one for the polling handshake and one
// for the direct WebSocket; for bench, its --duration), plus slack, with
// exit code 3 (could not connect) and a message that names what timed out
// and after how long.
func TestEveryWaitBounded(t *testing.T) {
	t.Parallel()
	url := silentServer(t)
	tls := strings.Replace(url, "http://", "https://", 1)
	dir := t.TempDir()
	recording := filepath.Join(dir, "recording.ndjson")
	script := filepath.Join(dir, "script.sio")
	files := map[string]string{
		recording: `{"time":"2026-01-01T00:00:00Z","type":"emit","dir":"out","ns":"/","event":"echo","args":["x"],"ack_id":0}` + "\n",
		script:    "emit --ack echo 1 --expect [1]\n",
	}
	for f, text := range files {
		if err := os.WriteFile(f, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	const timeout = 2 * time.Second
	ct := []string{"--connect-timeout", "2s"}
	for _, c := range []struct {
		name  string
		args  []string
		stdin string
		bound time.Duration
		says  string // in stdout or stderr
	}{
		{"emit", append([]string{"emit", url, "ev"}, ct...), "", timeout, "gave up after 2s: handshake over polling"},
		{"emit --ack", append([]string{"emit", url, "ev", "--ack"}, ct...), "", timeout, "gave up after 2s: handshake over polling"},
		{"emit websocket", append([]string{"emit", url, "ev", "--transport", "websocket"}, ct...), "", timeout, "gave up after 2s"},
		{"emit tls", append([]string{"emit", tls, "ev", "--ack"}, ct...), "", timeout, "gave up after 2s"},
		{"listen", append([]string{"listen", url}, ct...), "", timeout, "gave up after 2s"},
		{"listen --duration", []string{"listen", url, "--duration", "2s"}, "", timeout, "gave up after 2s"},
		{"repl", append([]string{"repl", url}, ct...), "emit ev\nexit\n", timeout, "gave up after 2s"},
		{"run", append([]string{"run", script, url}, ct...), "", timeout, "gave up after 2s: handshake over polling"},
		{"replay", append([]string{"replay", recording, url}, ct...), "", timeout, "gave up after 2s: handshake over polling"},
		{"doctor", append([]string{"doctor", url, "-o", "text"}, ct...), "", 2 * timeout, "within 2s"},
		{"doctor tls", append([]string{"doctor", tls, "-o", "text"}, ct...), "", timeout, "No answer to the TLS handshake within 2s"},
		{"admin", append([]string{"admin", url}, ct...), "", timeout, "gave up after 2s: handshake over polling"},
		{"admin watch", append([]string{"admin", url, "watch"}, ct...), "", timeout, "gave up after 2s"},
		{"bench", append([]string{"bench", url, "--duration", "3s"}, ct...), "", 3 * time.Second, "no connection within 2s"},
		{"bench --iterations", append([]string{"bench", url, "--iterations", "1", "--emit", "x"}, ct...), "", timeout, "no connection within 2s"},
		{"header-cmd", append([]string{"emit", url, "ev", "--header-cmd", "sleep 10"}, ct...), "", timeout, `--header-cmd "sleep 10" did not finish within 2s`},
	} {
		run := startSio(t, "", nil, c.stdin, c.args...)
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r, took := run.wait(t)
			if took > c.bound+slack {
				t.Errorf("took %v, bound %v", took.Round(time.Millisecond), c.bound)
			}
			if r.code != ExitConnect || !strings.Contains(r.stdout+r.stderr, c.says) {
				t.Errorf("exit %d, want %d and %q\nstdout:\n%s\nstderr:\n%s", r.code, ExitConnect, c.says, r.stdout, r.stderr)
			}
		})
	}
}

// ExitConnect is sio's exit code for a failure to connect.
const ExitConnect = 3

// TestHelperWithinConnectTimeout: --auth-cmd and --header-cmd run within
// the connect timeout, and are killed, with what they started, when it
// ends; the error names the command.
func TestHelperWithinConnectTimeout(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Config{Version: "4"})
	for _, c := range []struct {
		flag, command string
		timeout       string
		bound         time.Duration
		marker        string // what only its sleep's command line holds
	}{
		{"--auth-cmd", "sleep 9.71", "2s", 2 * time.Second, "sleep 9.71"},
		{"--header-cmd", "sh -c 'sleep 9.72'", "2s", 2 * time.Second, "sleep 9.72"},
		{"--auth-cmd", "sleep 9.73 | cat", "1s", time.Second, "sleep 9.73"},
	} {
		runs := map[string]*background{}
		for _, cmd := range []string{"emit", "listen"} {
			args := []string{cmd, s.URL(), c.flag, c.command, "--connect-timeout", c.timeout}
			if cmd == "emit" {
				args = append(args, "ev", "--ack")
			}
			runs[cmd] = startSio(t, "", nil, "", args...)
		}
		t.Run(c.flag+" "+c.command, func(t *testing.T) {
			t.Parallel()
			for cmd, run := range runs {
				r, took := run.wait(t)
				want := c.flag + ` "` + c.command + `" did not finish within ` + c.timeout
				if r.code != ExitConnect || !strings.Contains(r.stderr, want) {
					t.Errorf("%s: exit %d, want %d and %q\n%s", cmd, r.code, ExitConnect, want, r.stderr)
				}
				if took > c.bound+slack {
					t.Errorf("%s took %v, its connect timeout %s", cmd, took.Round(time.Millisecond), c.timeout)
				}
			}
			// What the command started went with it.
			if pids := processesWith(t, c.marker); len(pids) > 0 {
				t.Errorf("the helper's %q lives on: pids %v", c.marker, pids)
			}
		})
	}
}

// processesWith lists the processes whose command line holds s, waiting a
// moment for those being killed to go.
func processesWith(t *testing.T, s string) []string {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		var pids []string
		entries, err := os.ReadDir("/proc")
		if errors.Is(err, os.ErrNotExist) {
			return nil // no /proc to look in
		}
		for _, e := range entries {
			cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
			if err == nil && strings.Contains(strings.ReplaceAll(string(cmdline), "\x00", " "), s) {
				pids = append(pids, e.Name())
			}
		}
		if len(pids) == 0 || time.Now().After(deadline) {
			return pids
		}
		time.Sleep(50 * time.Millisecond)
	}
}
