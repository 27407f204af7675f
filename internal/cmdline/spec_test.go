package cmdline

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func testTable(ran *[]string) *Table {
	rec := func(_ context.Context, p *Parsed) error {
		*ran = append(*ran, p.Spec.Name+" "+strings.Join(words(p.Args), ","))
		return nil
	}
	return NewTable(
		Spec{Name: "emit", Flags: []Flag{{Name: "ack"}, {Name: "timeout", Type: Duration, Value: "D"}, {Name: "auth", Type: Object, Value: "JSON", Secret: true}, {Name: "ns", Short: "n", Type: Text, Value: "/ns"}},
			Args: []Arg{{Name: "EVENT"}, {Name: "ARG", Many: true}}, Help: "emit", Run: rec},
		Spec{Name: "trace", Args: []Arg{{Name: "on|off", Choices: []string{"on", "off"}}}, Run: rec},
		Spec{Name: "exit", Aliases: []string{"quit"}, Run: func(context.Context, *Parsed) error { return ErrExit }},
	)
}

func words(ws []Word) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Source())
	}
	return out
}

func TestParseFlags(t *testing.T) {
	var ran []string
	tb := testTable(&ran)
	for line, want := range map[string]string{
		`emit a b --ack`:             "ack a,b",
		`emit --ack a b`:             "ack a,b",
		`emit a --timeout 2s b`:      "timeout=2s a,b",
		`emit a --timeout=2s b`:      "timeout=2s a,b",
		`emit a -- --ack -1`:         " a,--ack,-1",
		`emit a -1 -x`:               " a,-1,-x",
		`emit a '--ack' "--ack"`:     ` a,'--ack',"--ack"`,
		`emit -n /admin a`:           "ns=/admin a",
		`emit a --auth {"t": 1} b`:   "auth a,b",
		`emit a --auth={"t":1}`:      "auth a",
		`emit a --ack -- --timeout`:  "ack a,--timeout",
		`emit "--ack" --ack --ack x`: `ack "--ack",x`,
	} {
		ws, err := Split(line)
		if err != nil {
			t.Fatal(err)
		}
		p, err := tb.Parse(ws)
		if err != nil {
			t.Errorf("%s: %v", line, err)
			continue
		}
		var got []string
		if p.Has("ack") {
			got = append(got, "ack")
		}
		if d := p.Duration("timeout"); d != 0 {
			got = append(got, "timeout="+d.String())
		}
		if p.JSON("auth") != nil {
			got = append(got, "auth")
		}
		if s := p.String("ns"); s != "" {
			got = append(got, "ns="+s)
		}
		if g := strings.Join(got, ",") + " " + strings.Join(words(p.Args), ","); g != want {
			t.Errorf("%s: got %q, want %q", line, g, want)
		}
	}
	if p, _ := tb.Parse([]Word{{Text: "emit"}, {Text: "a"}, {Text: "--timeout"}, {Text: "1m"}}); p.Duration("timeout") != time.Minute {
		t.Errorf("timeout %v", p.Duration("timeout"))
	}
}

func TestParseFlagErrors(t *testing.T) {
	var ran []string
	tb := testTable(&ran)
	for line, want := range map[string]string{
		`emit a --nope`:        "emit: unknown option --nope",
		`emit a --nope=1`:      "emit: unknown option --nope;",
		`emit a --ack=1`:       "--ack takes no value",
		`emit a --timeout`:     "--timeout wants a duration",
		`emit a --timeout -1s`: `--timeout "-1s" is not a duration`,
		`emit a --auth [1]`:    "--auth must be a JSON object",
		`emit a --auth null`:   "--auth must be a JSON object",
		`emit`:                 "emit: no event (use: emit [--ack] [--timeout D] [--auth JSON] [-n|--ns /ns] EVENT [ARG...])",
		`trace`:                "trace: no on|off",
		`trace maybe`:          "trace: wants on or off",
		`trace on off`:         `trace: unexpected "off"`,
		`exit now`:             "exit: takes no arguments",
		`frob`:                 "frob: unknown command; try help",
		`"emit"`:               "not a command",
	} {
		ws, err := Split(line)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tb.Parse(ws); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", line, err, want)
		}
	}
}

func TestRedact(t *testing.T) {
	tb := testTable(new([]string))
	for in, want := range map[string]string{
		`emit a --auth {"token":"s3cret", "n": 1} b`: `emit a --auth {} b`,
		`emit a --auth={"token":"s3cret"}`:           `emit a --auth={}`,
		`emit a --auth not-json-s3cret`:              `emit a --auth {}`,
		"emit a --auth {\n\"token\":\n\"s3cret\"}":   `emit a --auth {}`,
		`emit a --authors`:                           `emit a --authors`,
		`frob --auth s3cret`:                         `frob --auth {}`,
		`emit a 'x y' --ack`:                         `emit a 'x y' --ack`,
		`connect http://h/?token=s3cret&room=a`:      `connect http://h/?token=[redacted]&room=a`,
		`connect 'wss://u:s3cret@h/' --auth {}`:      `connect 'wss://[redacted]@h/' --auth {}`,
	} {
		if got := tb.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHelp(t *testing.T) {
	tb := testTable(new([]string))
	all := tb.Help("")
	for _, s := range tb.Specs() {
		if !strings.Contains(all, s.Use()) {
			t.Errorf("help lacks %s", s.Use())
		}
	}
	if got := tb.Help("quit"); !strings.HasPrefix(got, "exit\n") {
		t.Errorf("help quit: %q", got)
	}
	if got := tb.Names(); strings.Join(got, " ") != "emit exit quit trace" {
		t.Errorf("names %q", got)
	}
}

// lines is a LineReader over fixed lines, with Ctrl-C as "\x03".
type lines struct {
	in    []string
	saved []string
}

func (l *lines) ReadLine(string) (string, error) {
	if len(l.in) == 0 {
		return "", io.EOF
	}
	s := l.in[0]
	l.in = l.in[1:]
	if s == "\x03" {
		return "", ErrInterrupt
	}
	return s, nil
}

func (l *lines) SaveHistory(s string) { l.saved = append(l.saved, s) }

func TestLoop(t *testing.T) {
	var ran []string
	in := &lines{in: []string{
		`emit a {"x":`, `1} --auth {"t":`, `"s3cret"}`,
		"emit b {", "\x03", // Ctrl-C drops the open line
		"trace maybe",
		"emit c",
		"\x03", "\x03", // twice on an empty line: leave
		"emit never",
	}}
	var notes strings.Builder
	l := &Loop{Table: testTable(&ran), In: in, Notes: &notes, Prompt: func() string { return "> " }}
	failed, err := l.Run(context.Background())
	if err != nil || failed != 1 {
		t.Errorf("failed %d, err %v", failed, err)
	}
	if got := strings.Join(ran, "|"); got != "emit a,{\"x\":\n1}|emit c" {
		t.Errorf("ran %q", got)
	}
	if !strings.Contains(notes.String(), "error: trace: wants on or off") {
		t.Errorf("notes %q", notes.String())
	}
	for _, h := range in.saved {
		if strings.Contains(h, "s3cret") {
			t.Errorf("the history keeps a secret: %q", h)
		}
	}
	if len(in.saved) != 3 {
		t.Errorf("history %q", in.saved)
	}

	// The input ends inside a command: said, counted, not run.
	in = &lines{in: []string{"emit a", `emit b {"x":`}}
	ran, notes = nil, strings.Builder{}
	l.In = in
	if failed, err := l.Run(context.Background()); err != nil || failed != 1 || len(ran) != 1 || !strings.Contains(notes.String(), `ended inside a command`) {
		t.Errorf("unfinished: failed %d, ran %q, %v, notes %q", failed, ran, err, notes.String())
	}

	in = &lines{in: []string{"emit a", "exit", "emit b"}}
	ran = nil
	l.In = in
	if _, err := l.Run(context.Background()); err != nil || len(ran) != 1 {
		t.Errorf("exit: ran %q, %v", ran, err)
	}
}

func TestPipeReaderLongLine(t *testing.T) {
	r := NewPipeReader(strings.NewReader("emit a\n" + strings.Repeat("x", maxPipeLine+1) + "\nemit b\n"))
	if _, err := r.ReadLine(""); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ReadLine(""); err == nil || errors.Is(err, io.EOF) || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("a line over the limit: %v", err)
	}
}
