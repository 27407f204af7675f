package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/siocli/sio/internal/testserver"
)

// TestRecordReplay records a listener's and a shell's both directions,
// replays them against the server, and finds a changed ack.
func TestRecordReplay(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Config{Version: "4"})
	dir := t.TempDir()
	file := filepath.Join(dir, "listen.ndjson")
	r := sio(t, "", "listen", s.URL(), "--on-connect", "emit ask 1", "--on-connect", `emit echo {"a":1} --ack`,
		"--reply", `question="yes"`, "--duration", "1500ms", "--record", file, "-o", "json")
	data, _ := os.ReadFile(file)
	rec := string(data)
	for _, want := range []string{`"type":"emit","dir":"out","ns":"/","event":"ask","args":[1]}`, `"type":"event","dir":"in","ns":"/","event":"question","args":[1],"ack_id":`,
		`"type":"reply","dir":"out","ns":"/","args":["yes"],"ack_id":`, `"type":"ack","dir":"in","ns":"/","event":"echo","args":[{"a":1}],"ack_id":0,`} {
		if !strings.Contains(rec, want) {
			t.Errorf("the recording lacks %s:\n%s\n%s", want, rec, r.stderr)
		}
	}
	if st, _ := os.Stat(file); st == nil || st.Mode().Perm() != 0o600 {
		t.Errorf("the recording's mode: %v", st)
	}
	r = sio(t, "", "replay", file, s.URL(), "--speed", "max")
	if r.code != 0 || !strings.Contains(r.stdout, `same     / echo, ack [{"a":1}]`) || !strings.Contains(r.stdout, "2 emits replayed, 1 acks compared, 0 differ") {
		t.Errorf("replay: exit %d, %s %s", r.code, r.stdout, r.stderr)
	}
	changed := filepath.Join(dir, "changed.ndjson")
	os.WriteFile(changed, []byte(strings.Replace(rec, `"event":"echo","args":[{"a":1}],"ack_id":0,`, `"event":"echo","args":[{"a":2}],"ack_id":0,`, 1)), 0o600)
	r = sio(t, "", "replay", changed, s.URL(), "--speed", "2x")
	if r.code != 6 || !strings.Contains(r.stdout, `DIFFERS  / echo: recorded ack [{"a":2}], now [{"a":1}]`) {
		t.Errorf("a changed ack: exit %d, %s %s", r.code, r.stdout, r.stderr)
	}

	shell := filepath.Join(dir, "shell.ndjson")
	sio(t, "record "+shell+"\nemit echo 1 --ack\nrecord off\nemit echo 2 --ack\n", "repl", s.URL(), "-o", "json")
	data, _ = os.ReadFile(shell)
	if !strings.Contains(string(data), `"type":"emit","dir":"out","ns":"/","event":"echo","args":[1],"ack_id":0}`) || strings.Contains(string(data), `"args":[2]`) {
		t.Errorf("the shell's recording:\n%s", data)
	}
	bad := filepath.Join(dir, "bad.ndjson")
	os.WriteFile(bad, []byte("{\"type\":\"open\"}\nnot json\n"), 0o600)
	if r := sio(t, "", "replay", bad, s.URL()); r.code != 2 || !strings.Contains(r.stderr, bad+":2: not a recording line") {
		t.Errorf("a bad recording: exit %d, %s", r.code, r.stderr)
	}
	if r := sio(t, "", "replay", file, s.URL(), "--speed", "fast"); r.code != 2 || !strings.Contains(r.stderr, `--speed "fast"`) {
		t.Errorf("--speed fast: exit %d, %s", r.code, r.stderr)
	}
}
