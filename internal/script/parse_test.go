package script

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestParseScript(t *testing.T) {
	steps, err := Parse("# comment\n\nemit --ack echo {\n  \"id\": ${id}\n} --expect [{}]\nexpect answered [true] --within 2s\nset x = args[0]\nprint ${ENV:HOME}\n")
	if err != nil {
		t.Fatal(err)
	}
	var lines []int
	for _, s := range steps {
		lines = append(lines, s.Line)
	}
	if len(steps) != 4 || lines[0] != 3 || lines[1] != 6 || !strings.Contains(steps[0].Text, "\n}") {
		t.Errorf("steps %+v", steps)
	}
	for src, want := range map[string]string{
		"emit --ack echo 1\nexpect":        "line 2: expect: no event name",
		"emit x {\n":                       "line 1: unclosed quote or bracket",
		"expect e --within soon":           `line 1: expect: --within "soon"`,
		"set x args":                       "line 1: set: use: set NAME = PATH",
		"connect --bogus":                  "line 1: connect: unknown option --bogus",
		"history":                          "line 1: history: not available in a script",
		"emit --ack x --expect {bad":       "line 1: unclosed quote or bracket",
		"emit a\nemit b\nfrob":             "line 3: frob: unknown command",
		"expect-error {\"a\":1} {\"b\":2}": "line 1: expect-error: wants at most one MATCH",
	} {
		if _, err := Parse(src); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", src, err, want)
		}
	}
}

// TestStepShown: a step is reported without its secrets.
func TestStepShown(t *testing.T) {
	steps, err := Parse("connect http://h/?token=s3cret&room=a --auth {\n\"token\": \"s3cret\"}\nemit --ack echo 1\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := "connect http://h/?token=[redacted]&room=a --auth {}"; steps[0].Shown != want {
		t.Errorf("shown as %q, want %q", steps[0].Shown, want)
	}
	if steps[1].Shown != steps[1].Text {
		t.Errorf("shown as %q", steps[1].Shown)
	}
}

func TestSubstitute(t *testing.T) {
	t.Setenv("SIO_X", "env value")
	got, err := substitute(`emit e ${id} "${ENV:SIO_X}"`, map[string]json.RawMessage{"id": json.RawMessage(`"u1"`)})
	if err != nil || got != `emit e "u1" "env value"` {
		t.Errorf("%q %v", got, err)
	}
	// Outside quotes a variable is its JSON; inside a string, its text.
	vars := map[string]json.RawMessage{"id": json.RawMessage(`"u1"`), "n": json.RawMessage(`5`), "o": json.RawMessage(`{"a":"q\"x"}`)}
	for in, want := range map[string]string{
		`emit x ${id}`:                    `emit x "u1"`,
		`emit x "${id}"`:                  `emit x "u1"`,
		`emit x "user-${id}"`:             `emit x "user-u1"`,
		`emit x 'user-${id}'`:             `emit x 'user-u1'`,
		`emit x {"id": ${id}, "n": ${n}}`: `emit x {"id": "u1", "n": 5}`,
		`emit x {"name": "u-${id}-${n}"}`: `emit x {"name": "u-u1-5"}`,
		`emit x "${o}"`:                   `emit x "{\"a\":\"q\\\"x\"}"`,
		`emit x ${o}`:                     `emit x {"a":"q\"x"}`,
		`emit x "$${id}" ${ nope }`:       `emit x "$u1" ${ nope }`,
		`# ${missing}`:                    `# ${missing}`,
	} {
		got, err := substitute(in, vars)
		if err != nil || got != want {
			t.Errorf("%s: got %s %v, want %s", in, got, err, want)
		}
	}
	if _, err := substitute("${ENV:SIO_NOT_SET_ANYWHERE}", nil); err == nil {
		t.Error("an unset environment variable was taken")
	}
}
