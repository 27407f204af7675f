package repl

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/siocli/sio/internal/cmdline"
	"github.com/siocli/sio/internal/output"
	"github.com/siocli/sio/internal/session"
	"github.com/siocli/sio/internal/sioserver"
	"github.com/siocli/sio/internal/testserver"
)

// lines is a LineReader over fixed lines.
type lines []string

func (l *lines) ReadLine(string) (string, error) {
	if len(*l) == 0 {
		return "exit", nil
	}
	s := (*l)[0]
	*l = (*l)[1:]
	return s, nil
}

// shell starts a shell on an in-process sio serve.
func shell(t *testing.T) (*Shell, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	url := testserver.InProcess(t, sioserver.Options{})
	var out, notes bytes.Buffer
	s, err := NewShell(Config{
		Session: session.Config{URL: url, Namespace: "/", ConnectTimeout: 5 * time.Second, AckTimeout: 5 * time.Second},
		Out:     output.New(&out, output.JSON, false), Notes: &notes,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s, &out, &notes
}

func TestSessionCommands(t *testing.T) {
	s, out, notes := shell(t)
	file := filepath.Join(t.TempDir(), "saved.sio")
	os.WriteFile(file, nil, 0o644)
	in := lines{
		"emit echo hi --ack",
		"emit --ack echo {\"a\":", "  [1, 2]}",
		"emit --ack echo -- --ack",
		`ns /admin --auth {"token":"s3cret"}`,
		"status",
		"!save " + file,
	}
	failed, err := s.Run(context.Background(), &in, notes)
	s.cfg.Out.Flush()
	if failed != 0 || err != nil {
		t.Fatalf("failed %d, %v: %s", failed, err, notes)
	}
	for _, want := range []string{`"args":["hi"]`, `"args":[{"a":[1,2]}]`, `"args":["--ack"]`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %s in\n%s", want, out)
		}
	}
	if s.Session().Current() != "/admin" {
		t.Errorf("current %s", s.Session().Current())
	}
	saved, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(file)
	if info.Mode().Perm() != 0o600 {
		t.Errorf("!save wrote mode %v", info.Mode().Perm())
	}
	if strings.Contains(string(saved), "s3cret") || strings.Contains(string(saved), "status") || !strings.Contains(string(saved), "ns /admin --auth ${ENV:SIO_AUTH}") || !strings.Contains(string(saved), "set SIO_AUTH (the --auth of command 4)") {
		t.Errorf("saved:\n%s", saved)
	}
	var _ cmdline.LineReader = &in
}
