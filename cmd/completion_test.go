package cmd

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompletionsFresh fails when the scripts in completions/ differ from
// what the commands generate now.
func TestCompletionsFresh(t *testing.T) {
	files := map[string]string{"bash": "sio.bash", "zsh": "_sio", "fish": "sio.fish", "powershell": "sio.ps1"}
	for shell, file := range files {
		var out bytes.Buffer
		root := NewRootCmd(&IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &out})
		root.SetArgs([]string{"completion", shell})
		if err := root.Execute(); err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("..", "completions", file))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), want) {
			t.Errorf("completions/%s is stale: run scripts/gen-completions.sh", file)
		}
	}
}

// TestFlagValueCompletion: the shells complete the values of the flags
// that take one of a few, a command's own choices first, and profile
// names after -P.
func TestFlagValueCompletion(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "sio"), 0o700)
	os.WriteFile(filepath.Join(dir, "sio", "config.toml"), []byte("[profiles.staging]\nurl = \"https://staging.example.com\"\n"), 0o600)
	t.Setenv("XDG_CONFIG_HOME", dir)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"emit", "localhost", "--transport", ""}, "auto\npolling\nwebsocket\n"},
		{[]string{"listen", "localhost", "-o", ""}, "auto\ntext\njson\n"},
		{[]string{"serve", "--eio", ""}, "both\n4\n3\n"},
		{[]string{"conform", "localhost", "--suite", ""}, "engine.io\nsocket.io\n"},
		{[]string{"emit", "-P", ""}, "staging\n"},
	} {
		var out bytes.Buffer
		root := NewRootCmd(&IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &bytes.Buffer{}})
		root.SetArgs(append([]string{"__complete"}, tc.args...))
		if err := root.Execute(); err != nil || !strings.HasPrefix(out.String(), tc.want) {
			t.Errorf("%v: %v\n%s", tc.args, err, out.String())
		}
	}
}
