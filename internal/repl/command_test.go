package repl

import (
	"strings"
	"testing"
	"time"

	"github.com/siocli/sio/internal/cmdline"
	"github.com/siocli/sio/pkg/codec"
)

func parse(t *testing.T, line string) (*cmdline.Parsed, error) {
	t.Helper()
	words, err := cmdline.Split(line)
	if err != nil {
		t.Fatalf("%q: %v", line, err)
	}
	return Commands(nil).Parse(words)
}

func argsJSON(t *testing.T, args []any) string {
	t.Helper()
	data, _, err := codec.MarshalArgs(args...)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestParse(t *testing.T) {
	p, err := parse(t, `emit --ack --timeout 2s chat hello 42 "42" 'a b' {"x": [1, 2]}`)
	if err != nil {
		t.Fatal(err)
	}
	if c := EmitOf(p); p.Spec.Name != "emit" || c.Event != "chat" || !c.Ack || c.Timeout != 2*time.Second {
		t.Errorf("%+v", c)
	}
	if got := argsJSON(t, EmitOf(p).Args); got != `["hello",42,"42","a b",{"x": [1, 2]}]` {
		t.Errorf("args %s", got)
	}
	// Options go anywhere on the line, and -- ends them.
	for _, line := range []string{`emit chat hello --ack`, `emit chat --ack hello`, `emit --ack chat hello`} {
		p, err := parse(t, line)
		if err != nil || !EmitOf(p).Ack || argsJSON(t, EmitOf(p).Args) != `["hello"]` {
			t.Errorf("%q: %+v %v", line, p, err)
		}
	}
	if p, err := parse(t, `emit chat -- --ack -1`); err != nil || EmitOf(p).Ack || argsJSON(t, EmitOf(p).Args) != `["--ack",-1]` {
		t.Errorf("after --: %+v %v", p, err)
	}
	if p, err := parse(t, `emit chat '--ack' "--ack"`); err != nil || EmitOf(p).Ack || argsJSON(t, EmitOf(p).Args) != `["--ack","--ack"]` {
		t.Errorf("quoted --ack: %+v %v", p, err)
	}
	if p, _ := parse(t, `emit "my event"`); EmitOf(p).Event != "my event" {
		t.Errorf("quoted event name: %q", EmitOf(p).Event)
	}
	p, _ = parse(t, `reply 7 ok {"n":1}`)
	if c := ReplyOf(p); c.ID == nil || *c.ID != 7 || argsJSON(t, c.Args) != `["ok",{"n":1}]` {
		t.Errorf("reply %+v", c)
	}
	p, _ = parse(t, `reply "7"`)
	if c := ReplyOf(p); c.ID != nil || argsJSON(t, c.Args) != `["7"]` {
		t.Errorf("reply without id %+v", c)
	}
	p, _ = parse(t, `ns admin --auth {"token":"x"}`)
	if NamespaceOf(p) != "/admin" || string(p.JSON("auth")) != `{"token":"x"}` {
		t.Errorf("ns %+v", p)
	}
	for line, name := range map[string]string{"quit": "exit", "?": "help", "status": "status", "  pending  ": "pending", "trace on": "trace", "!save s.sio": "!save", "on chat:*": "on", "on [a-z]*": "on"} {
		if p, err := parse(t, line); err != nil || p.Spec.Name != name {
			t.Errorf("%q: %+v %v", line, p, err)
		}
	}
	if c, err := parse(t, "# comment"); c != nil || err != nil {
		t.Errorf("comment: %+v %v", c, err)
	}
}

func TestParseErrors(t *testing.T) {
	tests := map[string]string{
		`frobnicate`:              "frobnicate: unknown command",
		`emit`:                    "emit: no event name",
		`emit --nope x`:           "emit: unknown option --nope",
		`emit --timeout soon x`:   `emit: --timeout "soon"`,
		`emit connect`:            `emit: "connect" is a reserved event name`,
		`emit x @/no/such/file`:   "emit: argument 1 (@/no/such/file)",
		`emit x @-`:               "not available in the shell",
		`emit x {"$binary":"!!"}`: "emit: argument 1",
		`on`:                      "on: wants one pattern",
		`on x\`:                   "bad pattern",
		`ns /a --auth nope`:       "--auth must be a JSON object",
		`trace maybe`:             "trace: wants on or off",
		`status now`:              "status: takes no arguments",
		`help frob`:               `help: no command "frob"`,
		`{"a":1}`:                 "not a command",
	}
	for line, want := range tests {
		_, err := parse(t, line)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", line, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: the error is more than one line", line)
		}
	}
}

func TestHelp(t *testing.T) {
	table := Commands(nil)
	all := table.Help("")
	flat := strings.Join(strings.Fields(all), " ")
	for _, c := range table.Specs() {
		if !strings.Contains(flat, c.Use()) {
			t.Errorf("help lacks %s", c.Name)
		}
	}
	// It fits a 100-column terminal.
	for _, line := range strings.Split(all, "\n") {
		if len(line) > 100 {
			t.Errorf("a line of %d columns: %s", len(line), line)
		}
	}
	if one := table.Help("quit"); !strings.HasPrefix(one, "exit") {
		t.Errorf("help quit: %q", one)
	}
}
