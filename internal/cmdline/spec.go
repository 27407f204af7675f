// Package cmdline is sio's one command language, spoken by the shell, the
// scripts of sio run, the prompt of sio serve and emit --then: a lexer
// (Split), flags anywhere on a line with -- ending them, and a Table of
// command specs from which parsing, help, completion and the history's
// redaction all come.
package cmdline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/siocli/sio/pkg/engineio"
)

// FlagType is the kind of value a flag takes.
type FlagType int

const (
	// Bool is a flag with no value: --ack.
	Bool FlagType = iota
	// Duration takes a positive duration such as 5s.
	Duration
	// Object takes a JSON object: --auth {"token":"x"}.
	Object
	// Match takes a MATCH: JSON, or a bare word (a string).
	Match
	// Text takes one word as it is: -n /admin.
	Text
)

// Flag is one option of a command.
type Flag struct {
	Name  string // without the dashes: "ack" is --ack
	Short string // one letter, "n" is -n; "" for none
	Type  FlagType
	Value string // the value's placeholder in the use line: "D", "JSON"
	Help  string
	// Secret flags have their value left out of the history and !save.
	Secret bool
}

// Arg is a positional argument.
type Arg struct {
	Name     string // the placeholder in the use line: "EVENT"
	Optional bool
	Many     bool // takes every word that is left (and may take none)
	// Missing is the complaint when a required Arg is not there; the
	// default is "no " and the name in lower case.
	Missing string
	// Complete names the completion source (see Completer); Choices are
	// its only allowed values when set.
	Complete string
	Choices  []string
}

// RunFunc carries out a parsed command. ErrExit ends the loop it runs in.
type RunFunc func(ctx context.Context, p *Parsed) error

// Spec describes one command: how it is written, what it means for help,
// how its words complete, and what runs it.
type Spec struct {
	Name    string
	Aliases []string
	Flags   []Flag
	Args    []Arg
	Help    string
	// Raw commands take their words as they are, flags included, for a
	// command whose tail is another command (to ID emit ...); their Args
	// only describe them, and Check validates them.
	Raw bool
	// Looks marks a command that changes nothing on the connection (help,
	// status): !save leaves it out.
	Looks bool
	// Check validates what Parse found, beyond the flags' types and the
	// number of arguments; its error is prefixed with the command's name.
	Check func(p *Parsed) error
	Run   RunFunc
}

// ErrExit is returned by a RunFunc to end the loop.
var ErrExit = errors.New("exit")

// Use is the command's use line: emit [--ack] [--timeout D] EVENT [ARG...].
func (s *Spec) Use() string {
	var b strings.Builder
	b.WriteString(s.Name)
	for _, f := range s.Flags {
		b.WriteString(" [")
		if f.Short != "" {
			b.WriteString("-" + f.Short + "|")
		}
		b.WriteString("--" + f.Name)
		if f.Type != Bool {
			b.WriteString(" " + f.Value)
		}
		b.WriteString("]")
	}
	for _, a := range s.Args {
		name := a.Name
		if len(a.Choices) > 0 {
			name = strings.Join(a.Choices, "|")
		}
		switch {
		case a.Many:
			b.WriteString(" [" + name + "...]")
		case a.Optional:
			b.WriteString(" [" + name + "]")
		default:
			b.WriteString(" " + name)
		}
	}
	return b.String()
}

func (s *Spec) flag(word string) (*Flag, string, bool, bool) {
	var name, val string
	var hasVal bool
	switch {
	case strings.HasPrefix(word, "--"):
		name, val, hasVal = strings.Cut(word[2:], "=")
		for i := range s.Flags {
			if s.Flags[i].Name == name {
				return &s.Flags[i], val, hasVal, true
			}
		}
	case len(word) == 2 && word[0] == '-':
		for i := range s.Flags {
			if s.Flags[i].Short == word[1:] {
				return &s.Flags[i], "", false, true
			}
		}
	}
	return nil, "", false, false
}

// Parsed is a command line read against its Spec.
type Parsed struct {
	Spec *Spec
	Args []Word // the positional arguments, after the name
	// Value is what the Spec's Check made of the line, for its Run.
	Value any
	flags map[string]any
}

// Has says whether the flag was given.
func (p *Parsed) Has(name string) bool { _, ok := p.flags[name]; return ok }

// Duration returns a Duration flag's value, 0 when not given.
func (p *Parsed) Duration(name string) time.Duration {
	d, _ := p.flags[name].(time.Duration)
	return d
}

// JSON returns an Object or Match flag's value, nil when not given.
func (p *Parsed) JSON(name string) json.RawMessage {
	v, _ := p.flags[name].(json.RawMessage)
	return v
}

// String returns a Text flag's value, "" when not given.
func (p *Parsed) String(name string) string {
	s, _ := p.flags[name].(string)
	return s
}

// Table is a set of commands, in the order help lists them.
type Table struct {
	specs []*Spec
}

// NewTable returns a table of the specs.
func NewTable(specs ...Spec) *Table {
	t := &Table{}
	for _, s := range specs {
		t.Add(s)
	}
	return t
}

// Add adds a command, replacing one of the same name.
func (t *Table) Add(s Spec) {
	for i, old := range t.specs {
		if old.Name == s.Name {
			t.specs[i] = &s
			return
		}
	}
	t.specs = append(t.specs, &s)
}

// Lookup returns the spec of a command name or alias.
func (t *Table) Lookup(name string) (*Spec, bool) {
	for _, s := range t.specs {
		if s.Name == name || slices.Contains(s.Aliases, name) {
			return s, true
		}
	}
	return nil, false
}

// Specs returns the commands in their order.
func (t *Table) Specs() []*Spec { return t.specs }

// Names returns every command name and alias, sorted, for completion.
func (t *Table) Names() []string {
	var names []string
	for _, s := range t.specs {
		names = append(names, s.Name)
		names = append(names, s.Aliases...)
	}
	slices.Sort(names)
	return names
}

// Help returns the help text: every command with its use line, or one.
func (t *Table) Help(topic string) string {
	var b strings.Builder
	if topic != "" {
		if s, ok := t.Lookup(topic); ok {
			fmt.Fprintf(&b, "%s\n    %s\n", s.Use(), s.Help)
		}
		return b.String()
	}
	col := 0 // the width of the usage column, at most helpColumn
	for _, s := range t.specs {
		if n := len(s.Use()); n <= helpColumn {
			col = max(col, n)
		}
	}
	indent := strings.Repeat(" ", col+4)
	for _, s := range t.specs {
		use := s.Use()
		if len(use) > col { // a long usage on lines of its own
			fmt.Fprintf(&b, "  %s\n%s", wrap(use, helpWidth-2, "      "), indent)
		} else {
			fmt.Fprintf(&b, "  %-*s  ", col, use)
		}
		b.WriteString(wrap(s.Help, helpWidth-len(indent), indent))
		b.WriteByte('\n')
	}
	return b.String()
}

// helpWidth is the width help fits in (a 100-column terminal), and
// helpColumn the widest usage that gets a column beside its help.
const (
	helpWidth  = 100
	helpColumn = 36
)

// wrap breaks text at spaces into lines of at most width, the lines
// after the first starting with indent.
func wrap(text string, width int, indent string) string {
	var b strings.Builder
	n := 0
	for i, w := range strings.Fields(text) {
		switch {
		case i == 0:
		case n+1+len(w) > width:
			b.WriteString("\n" + indent)
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}

// Parse reads a line's words as a command of the table. An empty line
// gives nil. Errors are one line, naming the command and what was wrong.
func (t *Table) Parse(words []Word) (*Parsed, error) {
	if len(words) == 0 {
		return nil, nil
	}
	if words[0].Kind != Bare {
		return nil, fmt.Errorf("%s: not a command; try help", words[0].Text)
	}
	s, ok := t.Lookup(words[0].Text)
	if !ok {
		return nil, fmt.Errorf("%s: unknown command; try help", words[0].Text)
	}
	p := &Parsed{Spec: s, flags: map[string]any{}}
	usage := func(why string) error { return fmt.Errorf("%s: %s (use: %s)", s.Name, why, s.Use()) }
	rest := words[1:]
	if s.Raw {
		p.Args = rest
	} else {
		for i := 0; i < len(rest); i++ {
			w := rest[i]
			if w.Kind != Bare || !strings.HasPrefix(w.Text, "-") || w.Text == "-" {
				p.Args = append(p.Args, w)
				continue
			}
			if w.Text == "--" {
				p.Args = append(p.Args, rest[i+1:]...)
				break
			}
			f, val, hasVal, ok := s.flag(w.Text)
			if !ok {
				if strings.HasPrefix(w.Text, "--") {
					return nil, usage(fmt.Sprintf("unknown option %s; an argument that starts with - goes after -- or in quotes", strings.SplitN(w.Text, "=", 2)[0]))
				}
				p.Args = append(p.Args, w) // -5, -x: an argument
				continue
			}
			if f.Type == Bool {
				if hasVal {
					return nil, usage(fmt.Sprintf("--%s takes no value", f.Name))
				}
				p.flags[f.Name] = true
				continue
			}
			vw := Word{Text: val, Kind: Bare}
			if !hasVal {
				if i+1 >= len(rest) {
					return nil, usage(fmt.Sprintf("--%s wants %s", f.Name, describeValue(f)))
				}
				i++
				vw = rest[i]
			}
			v, err := flagValue(f, vw)
			if err != nil {
				return nil, usage(err.Error())
			}
			p.flags[f.Name] = v
		}
	}
	if !s.Raw {
		if err := checkArgs(s, p.Args); err != nil {
			return nil, usage(err.Error())
		}
	}
	if s.Check != nil {
		if err := s.Check(p); err != nil {
			return nil, fmt.Errorf("%s: %v", s.Name, err)
		}
	}
	return p, nil
}

func describeValue(f *Flag) string {
	switch f.Type {
	case Duration:
		return "a duration such as 5s"
	case Object:
		return "a JSON object"
	case Match:
		return "a MATCH (JSON)"
	}
	return "a value (" + f.Value + ")"
}

func flagValue(f *Flag, w Word) (any, error) {
	switch f.Type {
	case Duration:
		d, err := time.ParseDuration(w.Text)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("--%s %q is not a duration such as 5s", f.Name, w.Text)
		}
		return d, nil
	case Object:
		var obj map[string]json.RawMessage
		if json.Unmarshal([]byte(w.Text), &obj) != nil || obj == nil {
			return nil, fmt.Errorf("--%s must be a JSON object", f.Name)
		}
		return json.RawMessage(w.Text), nil
	case Match:
		m, err := MatchValue(w)
		if err != nil {
			return nil, fmt.Errorf("--%s: %v", f.Name, err)
		}
		return m, nil
	}
	return w.Text, nil
}

// MatchValue reads a MATCH: JSON, or a bare word taken as JSON if it
// parses, else as a string.
func MatchValue(w Word) (json.RawMessage, error) {
	if json.Valid([]byte(w.Text)) {
		return json.RawMessage(w.Text), nil
	}
	if w.Kind == JSON {
		return nil, fmt.Errorf("invalid JSON %.40s", w.Text)
	}
	return json.Marshal(w.Text)
}

func checkArgs(s *Spec, args []Word) error {
	min, max := 0, 0
	for _, a := range s.Args {
		switch {
		case a.Many:
			max = -1
		case a.Optional:
			if max >= 0 {
				max++
			}
		default:
			min++
			if max >= 0 {
				max++
			}
		}
	}
	if len(args) < min {
		if m := s.Args[len(args)].Missing; m != "" {
			return errors.New(m)
		}
		return fmt.Errorf("no %s", strings.ToLower(s.Args[len(args)].Name))
	}
	if max >= 0 && len(args) > max {
		if max == 0 {
			return errors.New("takes no arguments")
		}
		return fmt.Errorf("unexpected %q", args[max].Text)
	}
	for i, a := range s.Args {
		if a.Many || i >= len(args) || len(a.Choices) == 0 {
			continue
		}
		if !slices.Contains(a.Choices, args[i].Text) {
			return fmt.Errorf("wants %s", strings.Join(a.Choices, " or "))
		}
	}
	return nil
}

// Redact returns the line as the history, !save and reports keep it:
// the values of secret flags replaced by {} (everything after --auth
// when it does not parse), and the credentials of the URLs in it
// redacted (engineio.RedactURL).
func (t *Table) Redact(line string) string {
	return engineio.RedactText(t.redactFlags(line, func(string) string { return "{}" }))
}

// Parameterize is Redact for a line kept to be run again (the shell's
// !save): each secret option's value becomes what value gives for the
// option's name, such as ${ENV:SIO_AUTH}, so that the script takes it
// from the environment.
func (t *Table) Parameterize(line string, value func(flag string) string) string {
	return engineio.RedactText(t.redactFlags(line, value))
}

// redactFlags puts what secret gives for an option's name in place of the
// value of each secret option of line.
func (t *Table) redactFlags(line string, secret func(flag string) string) string {
	words, err := Split(line)
	if err != nil || len(words) == 0 || words[0].Kind != Bare {
		return redactLoose(line)
	}
	s, ok := t.Lookup(words[0].Text)
	if !ok || s.Raw {
		return redactLoose(line)
	}
	var out []string
	for i := 0; i < len(words); i++ {
		w := words[i]
		out = append(out, w.Source())
		if w.Kind != Bare || i == 0 {
			continue
		}
		f, _, hasVal, ok := s.flag(w.Text)
		if !ok || !f.Secret {
			continue
		}
		if hasVal {
			out[len(out)-1] = "--" + f.Name + "=" + secret(f.Name)
		} else if i+1 < len(words) {
			out = append(out, secret(f.Name))
			i++
		}
	}
	return strings.Join(out, " ")
}

// redactLoose removes what follows --auth in a line that does not parse,
// so that a mistyped secret is not kept either.
func redactLoose(line string) string {
	i := strings.Index(line, "--auth")
	if i < 0 {
		return line
	}
	return line[:i] + "--auth {}"
}
