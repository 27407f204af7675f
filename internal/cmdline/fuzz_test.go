package cmdline

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// seeds are lines people type, from the README and the tests.
var seeds = []string{
	`emit --ack echo hello 42 "42" 'a b' {"x": [1, 2]}`,
	`emit chat -- --ack -1`,
	"emit x {\n  \"k\": \"}\"\n}",
	`ns /admin --auth {"token":"ok"}`,
	`on [a-z]*`,
	`emit x "say \"hi\"" \@home @file`,
	`emit --ack echo ${id} --expect ["u1"]`,
	`emit x "user-${id}" 'q ${ENV:HOME}' {"n": ${n}}`,
	"# a comment {",
	`emit x {"a":1}junk`,
}

// FuzzSplit: the lexer ends on any line, with words or an error; a line
// whose words it gives splits again, from its words, to the same words.
func FuzzSplit(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		words, err := Split(line)
		if err != nil {
			return
		}
		var parts []string
		for _, w := range words {
			if w.Kind == Quoted && strings.Contains(w.Text, "'") {
				t.Fatalf("a quoted word holds a quote: %q", w.Text)
			}
			parts = append(parts, w.Source())
		}
		again, err := Split(strings.Join(parts, " "))
		if err != nil || len(again) != len(words) {
			t.Fatalf("%q: words %q split again to %+v, %v", line, parts, again, err)
		}
	})
}

// FuzzExpand: expansion ends on any line and puts in a value where it
// says a variable is.
func FuzzExpand(f *testing.F) {
	for _, s := range seeds {
		f.Add(s, `"v"`)
	}
	f.Add(`emit ${x} "${x}" '${x}'`, `{"a":"it's"}`)
	f.Fuzz(func(t *testing.T, line, value string) {
		if !json.Valid([]byte(value)) {
			return
		}
		lookup := func(name string) (Value, error) {
			if name == "nope" {
				return Value{}, errors.New("not set")
			}
			return Value{JSON: json.RawMessage(value)}, nil
		}
		if _, err := Expand(line, lookup); err != nil && err.Error() != "not set" && !strings.Contains(err.Error(), "'") {
			t.Fatalf("%q: %v", line, err)
		}
	})
}

// FuzzOpenScanner: fed any input a piece at a time, the scanner that lets
// the loop skip Split says a command is open only when Split finds it
// incomplete, so that no finished command waits for another line.
func FuzzOpenScanner(f *testing.F) {
	for _, s := range seeds {
		f.Add(s, 3)
	}
	f.Add("emit x {\n\"a\": [1,\n2]\n}", 1)
	f.Add("emit x 'it\nis'", 2)
	f.Add("off [a 'b]", 4)
	f.Fuzz(func(t *testing.T, text string, cut int) {
		var o openScanner
		step := max(1, cut%16)
		for i := 0; i < len(text); i += step {
			o.feed(text[i:min(i+step, len(text))])
		}
		if _, err := Split(text); o.open() && !errors.Is(err, ErrIncomplete) {
			t.Fatalf("%q: the scanner says open, Split says %v", text, err)
		}
	})
}
