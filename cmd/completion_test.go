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
