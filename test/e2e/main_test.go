// Package e2e runs the built sio binary against real Socket.IO servers, as
// a user would.
package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// sioBin is the binary under test, built by TestMain with the race
// detector; the tests in a pseudo-terminal run it too.
var sioBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sio-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sioBin = filepath.Join(dir, "sio")
	_, file, _, _ := runtime.Caller(0)
	build := exec.Command("go", "build", "-race", "-o", sioBin, ".")
	build.Dir = filepath.Join(filepath.Dir(file), "..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building sio: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what a run of sio gave.
type result struct {
	stdout, stderr string
	code           int
}

// sio runs the binary with args and stdin, and waits up to 30s.
func sio(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return sioWith(t, nil, stdin, args...)
}

// sioWith runs the binary as sio does, with env added to the environment.
func sioWith(t *testing.T, env []string, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, sioBin, args...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running sio %v: %v", args, err)
	}
	return r
}

// started is a sio process running in the background.
type started struct {
	cmd    *exec.Cmd
	stdout *lockedBuffer
	stderr *lockedBuffer
	done   chan struct{}
	err    error
}

func sioStart(t *testing.T, args ...string) *started {
	t.Helper()
	return sioStartEnv(t, nil, args...)
}

// sioStartEnv is sioStart with env added to the environment.
func sioStartEnv(t *testing.T, env []string, args ...string) *started {
	t.Helper()
	cmd := exec.Command(sioBin, args...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	s := &started{cmd: cmd, stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = s.stdout, s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.err = cmd.Wait(); close(s.done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-s.done
	})
	return s
}

// wait waits for the process to exit and returns its exit code.
func (s *started) wait(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case <-s.done:
	case <-time.After(d):
		t.Fatalf("sio still running after %v; stdout:\n%s\nstderr:\n%s", d, s.stdout, s.stderr)
	}
	var ee *exec.ExitError
	if errors.As(s.err, &ee) {
		return ee.ExitCode()
	}
	return 0
}

// waitFor waits until stdout holds n lines containing sub.
func (s *started) waitFor(t *testing.T, sub string, n int) {
	t.Helper()
	if !s.stdout.await(15*time.Second, func(out string) bool { return strings.Count(out, sub) >= n }) {
		t.Fatalf("no %d lines with %q; stdout:\n%s\nstderr:\n%s", n, sub, s.stdout, s.stderr)
	}
}
