package script

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/siocli/sio/internal/repl"
)

// Step is one command of a script, on the line it starts at.
type Step struct {
	Line int    // 1-based
	Text string // as written; ${…} are substituted when the step runs
}

// SyntaxError is a line that does not parse.
type SyntaxError struct {
	Line int
	Err  error
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

var variable = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*|ENV:[A-Za-z_][A-Za-z0-9_]*)\}`)

// Parse reads a script and checks every line, with variables standing in
// as 0, so that a syntax error is reported before anything connects.
func Parse(src string) ([]Step, error) {
	var steps []Step
	lines := strings.Split(src, "\n")
	for i := 0; i < len(lines); i++ {
		start := i
		text := lines[i]
		words, err := repl.Split(variable.ReplaceAllString(text, "0"))
		for err == repl.ErrIncomplete && i+1 < len(lines) {
			i++
			text += "\n" + lines[i]
			words, err = repl.Split(variable.ReplaceAllString(text, "0"))
		}
		if err != nil {
			if err == repl.ErrIncomplete {
				err = fmt.Errorf("unclosed quote or bracket")
			}
			return nil, &SyntaxError{Line: start + 1, Err: err}
		}
		if len(words) == 0 {
			continue
		}
		if _, err := parseStep(words); err != nil {
			return nil, &SyntaxError{Line: start + 1, Err: err}
		}
		steps = append(steps, Step{Line: start + 1, Text: text})
	}
	return steps, nil
}

// op is a parsed step: a shell command, or one of the script's own.
type op struct {
	name    string // "command", "connect", "expect", "expect-error", "expect-disconnect", "set", "sleep", "print"
	cmd     *repl.Command
	expect  json.RawMessage // emit --ack --expect, expect, expect-error
	event   string          // expect
	within  time.Duration   // expect --within
	url     string          // connect
	nsp     string          // connect -n
	auth    json.RawMessage // connect --auth
	reason  string          // expect-disconnect
	varName string          // set
	path    string          // set
	text    string          // print
	wait    time.Duration   // sleep
}

// defaultWithin is how long expect waits unless told.
const defaultWithin = 5 * time.Second

func parseStep(words []repl.Word) (*op, error) {
	name := words[0].Text
	rest := words[1:]
	switch name {
	case "connect":
		o := &op{name: "connect"}
		for len(rest) > 0 {
			switch w := rest[0].Text; {
			case w == "--auth" && len(rest) > 1:
				var obj map[string]json.RawMessage
				if json.Unmarshal([]byte(rest[1].Text), &obj) != nil {
					return nil, fmt.Errorf("connect: --auth must be a JSON object")
				}
				o.auth, rest = json.RawMessage(rest[1].Text), rest[2:]
			case (w == "-n" || w == "--namespace") && len(rest) > 1:
				o.nsp, rest = rest[1].Text, rest[2:]
			case o.url == "" && !strings.HasPrefix(w, "-"):
				o.url, rest = w, rest[1:]
			default:
				return nil, fmt.Errorf("connect: unexpected %q (use: connect [URL] [--auth JSON] [-n /ns])", w)
			}
		}
		return o, nil
	case "expect":
		if len(rest) == 0 {
			return nil, fmt.Errorf("expect: no event name (use: expect EVENT [MATCH] [--within D])")
		}
		o := &op{name: "expect", event: strings.Trim(rest[0].Text, `"`), within: defaultWithin}
		rest = rest[1:]
		for len(rest) > 0 {
			if rest[0].Text == "--within" && len(rest) > 1 {
				d, err := time.ParseDuration(rest[1].Text)
				if err != nil || d <= 0 {
					return nil, fmt.Errorf("expect: --within %q is not a duration such as 5s", rest[1].Text)
				}
				o.within, rest = d, rest[2:]
				continue
			}
			if o.expect != nil || rest[0].Kind == repl.Quoted {
				return nil, fmt.Errorf("expect: unexpected %q", rest[0].Text)
			}
			m, err := matchValue(rest[0])
			if err != nil {
				return nil, fmt.Errorf("expect: %v", err)
			}
			o.expect, rest = m, rest[1:]
		}
		return o, nil
	case "expect-error":
		o := &op{name: "expect-error"}
		if len(rest) > 1 {
			return nil, fmt.Errorf("expect-error: wants at most one MATCH")
		}
		if len(rest) == 1 {
			m, err := matchValue(rest[0])
			if err != nil {
				return nil, fmt.Errorf("expect-error: %v", err)
			}
			o.expect = m
		}
		return o, nil
	case "expect-disconnect":
		var parts []string
		for _, w := range rest {
			parts = append(parts, strings.Trim(w.Text, `"`))
		}
		return &op{name: "expect-disconnect", reason: strings.Join(parts, " ")}, nil
	case "set":
		if len(rest) != 3 || rest[1].Text != "=" {
			return nil, fmt.Errorf("set: use: set NAME = PATH (such as set id = args[0].id)")
		}
		return &op{name: "set", varName: rest[0].Text, path: rest[2].Text}, nil
	case "sleep":
		if len(rest) != 1 {
			return nil, fmt.Errorf("sleep: use: sleep DURATION")
		}
		d, err := time.ParseDuration(rest[0].Text)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("sleep: %q is not a duration such as 500ms", rest[0].Text)
		}
		return &op{name: "sleep", wait: d}, nil
	case "print":
		var parts []string
		for _, w := range rest {
			parts = append(parts, w.Text)
		}
		return &op{name: "print", text: strings.Join(parts, " ")}, nil
	}
	// A shell command, perhaps an emit with --expect MATCH at its end.
	var expect json.RawMessage
	if n := len(words); name == "emit" && n >= 3 && words[n-2].Text == "--expect" {
		m, err := matchValue(words[n-1])
		if err != nil {
			return nil, fmt.Errorf("emit: --expect: %v", err)
		}
		expect, words = m, words[:n-2]
	}
	c, err := repl.Parse(words)
	if err != nil {
		return nil, err
	}
	if expect != nil && !c.Ack {
		c.Ack = true // --expect checks the ack, so there must be one
	}
	switch c.Name {
	case "!save", "history", "clear":
		return nil, fmt.Errorf("%s: not available in a script", c.Name)
	}
	return &op{name: "command", cmd: c, expect: expect}, nil
}

// matchValue reads a MATCH: JSON, or a bare word taken as JSON if it
// parses, else as a string.
func matchValue(w repl.Word) (json.RawMessage, error) {
	if json.Valid([]byte(w.Text)) {
		return json.RawMessage(w.Text), nil
	}
	if w.Kind == repl.JSON {
		return nil, fmt.Errorf("invalid JSON %.40s", w.Text)
	}
	return json.Marshal(w.Text)
}

// substitute replaces ${NAME} by the value set (as JSON) and ${ENV:NAME}
// by the environment variable.
func substitute(text string, vars map[string]json.RawMessage) (string, error) {
	var missing string
	out := variable.ReplaceAllStringFunc(text, func(m string) string {
		name := m[2 : len(m)-1]
		if env, ok := strings.CutPrefix(name, "ENV:"); ok {
			v, ok := os.LookupEnv(env)
			if !ok && missing == "" {
				missing = "environment variable " + env + " is not set"
			}
			return v
		}
		v, ok := vars[name]
		if !ok && missing == "" {
			missing = "${" + name + "} was not set"
		}
		return string(v)
	})
	if missing != "" {
		return "", fmt.Errorf("%s", missing)
	}
	return out, nil
}
