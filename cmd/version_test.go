package cmd

import (
	"bytes"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	ios := &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &out}
	root := NewRootCmd(ios)
	root.SetArgs([]string{"version"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "sio ") {
		t.Errorf("output %q", out.String())
	}
}

// TestVersionFlag: sio --version and -V print what sio version prints.
func TestVersionFlag(t *testing.T) {
	for _, flag := range []string{"--version", "-V"} {
		var out bytes.Buffer
		root := NewRootCmd(&IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &out})
		root.SetArgs([]string{flag})
		if err := root.Execute(); err != nil || out.String() != versionLine()+"\n" {
			t.Errorf("%s: %v, %q", flag, err, out.String())
		}
	}
}

func TestUsageErrorExitCode(t *testing.T) {
	for _, args := range [][]string{{"version", "extra"}, {"version", "--nope"}} {
		var out bytes.Buffer
		root := NewRootCmd(&IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &out})
		root.SetArgs(args)
		if code := exitCode(root.Execute()); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, ExitUsage)
		}
	}
}
