package cmd

import (
	"bytes"
	"strings"
	"testing"
)

// TestUsageErrors: a mistyped or unknown command, and missing or extra
// arguments, are usage errors (exit 2) that name what was wrong.
func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"emti", "http://x", "x"}, `unknown command "emti" for "sio"; did you mean emit?`},
		{[]string{"lisen"}, `did you mean listen?`},
		{[]string{"profile", "rm", "y"}, `unknown command "rm" for "sio profile"`},
		{[]string{"profile", "lst"}, `did you mean list?`},
		{[]string{"completion", "nushell"}, `unknown command "nushell" for "sio completion"`},
		{[]string{"replay", "rec.ndjson"}, `missing URL (usage: sio replay FILE URL)`},
		{[]string{"emit", "localhost:3000"}, `missing EVENT (usage: sio emit URL EVENT [ARG...])`},
		{[]string{"admin"}, `missing URL`},
		{[]string{"version", "x"}, `too many arguments: "x"`},
		{[]string{"localhost:3000", "x"}, `too many arguments: "x"`},
		{[]string{"emit", "localhost:3000", "", "--ack"}, `the event name is empty`},
		{[]string{"emit", "localhost:3000", "x", "--ack", "--ack-timeout", "1s"}, `without retries, the wait for an ack is --timeout`},
		{[]string{"emit", "localhost:3000", "connect"}, `"connect" is a reserved event name`},
		{[]string{"serve", "--port", "abc"}, `--port "abc": want a whole number`},
		{[]string{"emit", "localhost:3000", "x", "--timeout", "5"}, `--timeout "5": want a duration such as 500ms`},
		{[]string{"emit", "localhost:3000", "x", "--then", `"" 1`}, `the event name is empty`},
	} {
		var out bytes.Buffer
		root := NewRootCmd(&IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &out})
		root.SetArgs(tc.args)
		err := root.Execute()
		if code := exitCode(err); code != ExitUsage || err == nil || !strings.Contains(describe(err), tc.want) {
			t.Errorf("sio %s: exit %d, %v; want exit %d and %q", strings.Join(tc.args, " "), code, err, ExitUsage, tc.want)
		}
	}
}
