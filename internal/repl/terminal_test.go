package repl

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/siocli/sio/internal/cmdline"
)

func TestStripAuth(t *testing.T) {
	for in, want := range map[string]string{
		`ns /a --auth {"token":"s3cret", "n": 1}`: `ns /a --auth {}`,
		`ns /a --auth={"token":"x"}`:              `ns /a --auth={}`,
		`emit x --authors`:                        `emit x --authors`,
		`emit x hi`:                               `emit x hi`,
	} {
		if got := Commands(nil).Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHistoryPath(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	p := HistoryPath()
	if p != filepath.Join(state, "sio", "history") {
		t.Fatalf("path %q", p)
	}
	os.WriteFile(p, []byte("old\n"), 0o644) // as readline would have made it
	if err := prepareHistory(p); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("history file mode %v, want 0600", info.Mode().Perm())
	}
	// A link in place of the history file is not followed.
	target := filepath.Join(t.TempDir(), "elsewhere")
	os.WriteFile(target, []byte("x"), 0o644)
	link := filepath.Join(t.TempDir(), "history")
	os.Symlink(target, link)
	if err := prepareHistory(link); err == nil {
		t.Error("a symlinked history file was used")
	}
	if info, _ := os.Stat(target); info.Mode().Perm() != 0o644 {
		t.Errorf("the link's target changed mode: %v", info.Mode().Perm())
	}
}

func TestCompleter(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "photo.jpg"), nil, 0o600)
	os.Mkdir(filepath.Join(dir, "pics"), 0o700)
	c := &cmdline.Completer{Table: Commands(nil)}
	try := func(line string) []string {
		cands, _ := c.Do([]rune(line), len([]rune(line)))
		var out []string
		for _, r := range cands {
			out = append(out, string(r))
		}
		sort.Strings(out)
		return out
	}
	if got := try("em"); len(got) != 1 || got[0] != "it " {
		t.Errorf("em: %q", got)
	}
	if got := try("emit --a"); len(got) != 1 || got[0] != "ck " {
		t.Errorf("emit --a: %q", got)
	}
	if got := try("emit x @" + dir + "/p"); len(got) != 2 || got[0] != "hoto.jpg " || got[1] != "ics/" {
		t.Errorf("@path: %q", got)
	}
	if got := try("trace o"); len(got) != 2 {
		t.Errorf("trace o: %q", got)
	}
}
