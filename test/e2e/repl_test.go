package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/siocli/sio/internal/testserver"
)

// TestReplPiped drives the shell from a pipe: no prompt, JSON lines out,
// one-line errors on stderr, and the session goes on after them.
func TestReplPiped(t *testing.T) {
	for _, v := range versions {
		t.Run("socket.io "+v, func(t *testing.T) {
			s := testserver.Start(t, testserver.Config{Version: v})
			creds := `{"token":"ok"}`
			script := "mute\nemit --ack echo hi 42\nemit echo {\"a\":\n  [1, 2]} --ack\nfrobnicate\nexit\n"
			if v != "2" {
				script = strings.Replace(script, "exit\n", "ns /admin --auth "+creds+"\nemit --ack echo in-admin\nexit\n", 1)
			}
			r := sio(t, script, "repl", s.URL())
			if r.code != 1 || !strings.Contains(r.stderr, "error: frobnicate: unknown command") {
				t.Errorf("exit %d, stderr %q; want 1 and the error", r.code, r.stderr)
			}
			var acks []string
			for _, rec := range records(t, r.stdout) {
				if rec.Type == "ack" {
					acks = append(acks, rec.NS+" "+argsOf(rec))
				}
			}
			want := `/ ["hi",42]; / [{"a":[1,2]}]`
			if v != "2" {
				want += `; /admin ["in-admin"]`
			}
			if got := strings.Join(acks, "; "); got != want {
				t.Errorf("acks %s, want %s", got, want)
			}
		})
	}
}

// term is sio running in a pseudo-terminal.
type term struct {
	t   *testing.T
	cmd *exec.Cmd
	pty interface {
		Write([]byte) (int, error)
		Close() error
	}
	out lockedBuffer

	waitOnce sync.Once
	exited   chan struct{} // closed once sio has exited
	exitErr  error
}

// exit returns a channel that gets sio's exit once it has exited, each
// time it is asked; the process is waited for once.
func (tm *term) exit() <-chan error {
	tm.waitOnce.Do(func() {
		go func() { tm.exitErr = tm.cmd.Wait(); close(tm.exited) }()
	})
	ch := make(chan error, 1)
	go func() { <-tm.exited; ch <- tm.exitErr }()
	return ch
}

// startTerm runs sio in a pseudo-terminal that answers the cursor
// position query, as terminals do.
func startTerm(t *testing.T, args ...string) *term {
	t.Helper()
	return openTerm(t, true, args...)
}

// startSilentTerm runs sio in a pseudo-terminal that never answers the
// cursor position query, as some do (a serial console, a test harness).
func startSilentTerm(t *testing.T, args ...string) *term {
	t.Helper()
	return openTerm(t, false, args...)
}

func openTerm(t *testing.T, answers bool, args ...string) *term {
	t.Helper()
	cmd := exec.Command(sioBin, args...)
	cmd.Env = append(cmd.Environ(), "NO_COLOR=1", "XDG_STATE_HOME="+t.TempDir(), "TERM=xterm")
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 200})
	if err != nil {
		t.Fatal(err)
	}
	tm := &term{t: t, cmd: cmd, pty: f, exited: make(chan struct{})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			tm.out.Write(buf[:n])
			// Answer readline's cursor position queries as a terminal does.
			for range bytes.Count(buf[:n], []byte("\x1b[6n")) {
				if answers {
					f.Write([]byte("\x1b[1;1R"))
				}
			}
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-tm.exit()
		f.Close()
		<-done
	})
	return tm
}

// screen is what sio wrote to the terminal, its cursor and erase
// sequences left out, so that tests read the text as a person does.
func (tm *term) screen() string { return plain(tm.out.String()) }

var controls = regexp.MustCompile("\x1b\\[[0-9;?]*[A-Za-z]| \b")

func plain(s string) string { return controls.ReplaceAllString(s, "") }

// expect waits until the output since mark holds s, and returns the new
// mark.
func (tm *term) expect(mark int, s string) int {
	tm.t.Helper()
	end := -1
	tm.out.await(15*time.Second, func(out string) bool {
		out = plain(out)
		if i := strings.Index(out[mark:], s); i >= 0 {
			end = mark + i + len(s)
		}
		return end >= 0
	})
	if end < 0 {
		tm.t.Fatalf("no %q in the terminal; it shows:\n%q", s, tm.screen())
	}
	return end
}

func (tm *term) typ(s string) { tm.pty.Write([]byte(s)) }

// TestReplTerminal types into the shell in a real pseudo-terminal.
func TestReplTerminal(t *testing.T) {
	for _, v := range versions {
		t.Run("socket.io "+v, func(t *testing.T) {
			s := testserver.Start(t, testserver.Config{Version: v})
			tm := startTerm(t, "repl", s.URL())
			m := tm.expect(0, "sio /> ")

			// An emit with an ack shows the ack and its round trip.
			tm.typ("emit --ack echo hi\r")
			m = tm.expect(m, `ack of echo  "hi"  (`)

			// Tab completes a command, and an event name seen before (echo
			// and echo-back: as far as they agree).
			tm.typ("emi\t")
			m = tm.expect(m, "sio /> emit ")
			tm.typ("--ack ec\t")
			m = tm.expect(m, "emit --ack echo")
			tm.typ(" done\r")
			m = tm.expect(m, `ack of echo  "done"`)

			// A server event arriving while a line is half typed prints
			// above the prompt; the line stays as it was and still works.
			tm.typ("emit --ack echo par")
			sio(t, "", "emit", s.URL(), "broadcast", "news", "flash")
			m = tm.expect(m, `news  "flash"`)
			m = tm.expect(m, "emit --ack echo par")
			tm.typ("tial\r")
			m = tm.expect(m, `ack of echo  "partial"`)

			// Answer an ack the server asked for; the server says what
			// it got.
			tm.typ("emit ask q?\r")
			m = tm.expect(m, "question (wants ack")
			tm.typ("reply yes 1\r")
			m = tm.expect(m, `answered  "yes"  1`)

			if v != "2" {
				tm.typ(`ns /admin --auth {"token":"ok"}` + "\r")
				m = tm.expect(m, "sio /admin> ")
				tm.typ("use /\r")
				m = tm.expect(m, "sio /> ")
			}

			// Filters: after "on news*", an echo-back is not shown, news is.
			tm.typ("mute\ron news*\remit echo hidden\r")
			sio(t, "", "emit", s.URL(), "broadcast", "news", "shown")
			m = tm.expect(m, `news  "shown"`)
			if strings.Contains(tm.screen()[m-200:], `echo-back  "hidden"`) {
				t.Error("a filtered event was shown")
			}

			// !save writes what was typed as a script.
			script := filepath.Join(t.TempDir(), "session.sio")
			tm.typ("!save " + script + "\r")
			m = tm.expect(m, "saved ")
			m = tm.expect(m, "sio /> ") // the prompt is back: readline takes keys again
			saved, _ := os.ReadFile(script)
			for _, want := range []string{"emit --ack echo hi\n", "reply yes 1\n", "on news*\n"} {
				if !strings.Contains(string(saved), want) {
					t.Errorf("the saved script lacks %q:\n%s", want, saved)
				}
			}

			// Ctrl-C clears a half-typed line, which then is not run.
			tm.typ("emit --ack echo never")
			m = tm.expect(m, "emit --ack echo never")
			tm.typ("\x03")
			m = tm.expect(m, "^C")
			tm.typ("emit --ack echo after\r")
			tm.expect(m, `ack of echo  "after"`)
			if strings.Contains(tm.screen(), `"never"`) {
				t.Error("the line cleared by Ctrl-C was run")
			}

			// Ctrl-D leaves with exit code 0.
			tm.typ("\x04")
			tm.leaves("Ctrl-D")
		})
	}
}

// leaves waits for sio to exit with code 0, and fails the test if it does
// not within 10s, showing where it is stuck.
func (tm *term) leaves(what string) {
	tm.t.Helper()
	done := tm.exit()
	select {
	case err := <-done:
		if err != nil {
			tm.t.Fatalf("exit after %s: %v\n%s", what, err, tm.screen())
		}
	case <-time.After(10 * time.Second):
		// SIGQUIT makes the Go runtime print every goroutine to the
		// terminal.
		tm.cmd.Process.Signal(syscall.SIGQUIT)
		<-done
		tm.t.Fatalf("sio did not exit on %s:\n%s", what, tm.screen())
	}
}

// TestReplSilentTerminal: in a terminal that never answers the cursor
// position query, the prompt comes (the query is sent once, not before
// every prompt), commands run, text typed ahead is kept, and exit and
// Ctrl-D leave with exit code 0.
func TestReplSilentTerminal(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "4"})
	for _, leave := range []string{"exit\r", "\x04"} {
		t.Run(strconv.Quote(leave), func(t *testing.T) {
			tm := startSilentTerm(t, "repl", s.URL())
			m := tm.expect(0, "sio /> ")
			tm.typ("emit --ack echo hi\r")
			m = tm.expect(m, `ack of echo  "hi"  (`)
			m = tm.expect(m, "sio /> ")
			tm.typ("emit --ack echo one\remit --ack echo two\r")
			m = tm.expect(m, `ack of echo  "one"`)
			m = tm.expect(m, `ack of echo  "two"`)
			tm.expect(m, "sio /> ")
			if n := strings.Count(tm.out.String(), "\x1b[6n"); n != 1 {
				t.Errorf("the terminal was asked %d times where the cursor is, want once", n)
			}
			tm.typ(leave)
			tm.leaves(strconv.Quote(leave))
		})
	}
}

// TestReplCtrlDMidCommand: Ctrl-D typed while a command runs leaves once
// the command ends, and a line typed before it runs first, shown once.
func TestReplCtrlDMidCommand(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "4"})
	tm := startTerm(t, "repl", s.URL())
	m := tm.expect(0, "sio /> ")
	tm.typ("emit --ack --timeout 1s silence\r")
	m = tm.expect(m, "emit --ack --timeout 1s silence")
	time.Sleep(300 * time.Millisecond) // the emit waits for its ack: the keys below come while it runs
	tm.typ("emit --ack echo ahead\r")
	tm.typ("\x04")
	m = tm.expect(m, "error: ")
	tm.expect(m, `ack of echo  "ahead"`)
	tm.leaves("Ctrl-D typed while a command ran")
	if n := strings.Count(tm.screen(), "emit --ack echo ahead"); n != 1 {
		t.Errorf("the line typed ahead shows %d times:\n%s", n, tm.screen())
	}
}

// TestReplCtrlC: a second Ctrl-C on an empty line leaves, exit code 0.
func TestReplCtrlC(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "4"})
	tm := startTerm(t, "repl", s.URL())
	tm.expect(0, "sio /> ")
	tm.typ("\x03\x03")
	done := tm.exit()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, tm.screen())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("sio did not leave on a second Ctrl-C:\n%s", tm.screen())
	}
}

// TestReplTraceReconnect: trace on shows the wire on stderr, trace off
// stops it; reconnect opens a new session.
func TestReplTraceReconnect(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "4"})
	r := sio(t, "emit --ack ack before\ntrace on\nemit --ack ack traced\ntrace off\nemit --ack ack after\nreconnect\nemit --ack ack again\nexit\n", "repl", s.URL(), "--transport", "websocket")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, `[\"ack\",\"traced\"]`) || strings.Contains(r.stderr, `before`) || strings.Contains(r.stderr, `after`) {
		t.Errorf("the trace shows the wrong frames:\n%s", r.stderr)
	}
	var sids, acks []string
	for _, rec := range records(t, r.stdout) {
		switch rec.Type {
		case "open":
			sids = append(sids, rec.NS)
		case "ack":
			acks = append(acks, argsOf(rec))
		}
	}
	if len(sids) != 2 || len(acks) != 4 {
		t.Errorf("%d sessions opened, %d acks:\n%s", len(sids), len(acks), r.stdout)
	}
}

// TestReplCtrlCCancels: Ctrl-C while an emit waits for its ack cancels
// that emit, says so, and the shell takes the next command.
func TestReplCtrlCCancels(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Config{Version: "4"})
	tm := startTerm(t, "repl", s.URL())
	m := tm.expect(0, "sio /> ")
	tm.typ("emit --ack --timeout 20s silence\r")
	m = tm.expect(m, "emit --ack --timeout 20s silence")
	time.Sleep(300 * time.Millisecond) // the emit is waiting
	tm.typ("\x03")
	m = tm.expect(m, "interrupted (Ctrl-C)")
	tm.typ("emit --ack echo after\r")
	tm.expect(m, `ack of echo  "after"`)
}

// TestReplPipedReply: a piped reply waits for the server's question, as a
// script's does, instead of finding none yet.
func TestReplPipedReply(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Config{Version: "4"})
	r := sio(t, "emit ask 7\nreply yes\nemit --ack echo done\n", "repl", s.URL(), "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"event":"answered","args":["yes"]`) {
		t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
