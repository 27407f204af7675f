package script

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/siocli/sio/internal/cmdline"
	"github.com/siocli/sio/internal/repl"
)

// Step is one command of a script, on the line it starts at.
type Step struct {
	Line int    // 1-based
	Text string // as written; ${…} are substituted when the step runs
	// Shown is Text as a report shows it, on one line: the values of
	// secret flags (--auth) and the credentials of URLs redacted.
	Shown string
}

// SyntaxError is a line that does not parse.
type SyntaxError struct {
	Line int
	Err  error
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *SyntaxError) Unwrap() error { return e.Err }

// placeholder stands in for every variable while a script is checked.
func placeholder(name string) (cmdline.Value, error) {
	if strings.HasPrefix(name, "ENV:") {
		return lookup(nil)(name) // known already: checked as it will run
	}
	return cmdline.Value{JSON: json.RawMessage("0")}, nil
}

// Parse reads a script and checks every line, with variables standing in
// as 0, so that a syntax error is reported before anything connects.
func Parse(src string) ([]Step, error) {
	table := commands(nil)
	var steps []Step
	lines := strings.Split(src, "\n")
	split := func(text string) ([]cmdline.Word, error) {
		text, err := cmdline.Expand(text, placeholder)
		if err != nil {
			return nil, err
		}
		return cmdline.Split(text)
	}
	for i := 0; i < len(lines); i++ {
		start := i
		text := lines[i]
		words, err := split(text)
		for errors.Is(err, cmdline.ErrIncomplete) && i+1 < len(lines) {
			i++
			text += "\n" + lines[i]
			words, err = split(text)
		}
		if err != nil {
			if errors.Is(err, cmdline.ErrIncomplete) {
				err = errors.New("unclosed quote or bracket")
			}
			return nil, &SyntaxError{Line: start + 1, Err: err}
		}
		if len(words) == 0 {
			continue
		}
		if _, err := table.Parse(words); err != nil {
			return nil, &SyntaxError{Line: start + 1, Err: err}
		}
		steps = append(steps, Step{Line: start + 1, Text: text, Shown: strings.ReplaceAll(table.Redact(text), "\n", " ")})
	}
	return steps, nil
}

// HasURL says whether the script connects to a URL of its own before its
// first step that needs a connection.
func HasURL(steps []Step) bool {
	table := commands(nil)
	for _, st := range steps {
		text, _ := cmdline.Expand(st.Text, placeholder)
		words, _ := cmdline.Split(text)
		p, err := table.Parse(words)
		if err != nil || p == nil {
			return false
		}
		switch p.Spec.Name {
		case "connect":
			return len(p.Args) > 0
		case "sleep", "print", "set", "expect-error":
			continue
		}
		return false
	}
	return false
}

// defaultWithin is how long expect waits unless told.
const defaultWithin = 5 * time.Second

// expectStep is a parsed expect.
type expectStep struct {
	event  string
	match  json.RawMessage // nil: any
	within time.Duration
}

// commands returns the script language: the shell's commands that make
// sense unattended, emit with --expect, and the script's own steps, run
// by r (nil: for parsing only).
func commands(r *runner) *cmdline.Table {
	run := func(f cmdline.RunFunc) cmdline.RunFunc {
		if r == nil {
			return nil
		}
		return f
	}
	// The shell's commands, carried out on the session's core: those that
	// only change what the shell shows do nothing here.
	t := repl.Commands(nil)
	core := map[string]cmdline.RunFunc{
		"ns": func(ctx context.Context, p *cmdline.Parsed) error {
			if nsp := repl.NamespaceOf(p); nsp != "" {
				return r.sess.Connect(ctx, nsp, p.JSON("auth"))
			}
			return nil
		},
		"use":        func(_ context.Context, p *cmdline.Parsed) error { return r.sess.Use(repl.NamespaceOf(p)) },
		"disconnect": func(context.Context, *cmdline.Parsed) error { return r.sess.DisconnectCurrent() },
		"reconnect":  func(ctx context.Context, _ *cmdline.Parsed) error { return r.sess.Reconnect(ctx) },
		"trace": func(_ context.Context, p *cmdline.Parsed) error {
			r.sess.SetTrace(p.Args[0].Text == "on")
			return nil
		},
		"reply": func(ctx context.Context, p *cmdline.Parsed) error {
			if !r.sess.WaitAsked(ctx, repl.ReplyOf(p).ID, defaultWithin) {
				return fmt.Errorf("the server asked for no ack within %v", defaultWithin)
			}
			_, err := r.sess.Reply(repl.ReplyOf(p))
			return err
		},
		"exit": func(context.Context, *cmdline.Parsed) error { r.stop = true; return nil },
	}
	for _, sp := range t.Specs() {
		f, ok := core[sp.Name]
		if !ok {
			f = func(context.Context, *cmdline.Parsed) error { return nil }
		}
		sp.Run = run(f)
	}
	for _, name := range []string{"!save", "history", "clear"} {
		sp, _ := t.Lookup(name)
		sp.Check = func(*cmdline.Parsed) error { return errors.New("not available in a script") }
	}

	emit := repl.EmitSpec(run(func(ctx context.Context, p *cmdline.Parsed) error { return r.emit(ctx, p) }))
	emit.Flags = append(emit.Flags, cmdline.Flag{Name: "expect", Type: cmdline.Match, Value: "MATCH", Help: "check the ack (implies --ack)"})
	check := emit.Check
	emit.Check = func(p *cmdline.Parsed) error {
		if err := check(p); err != nil {
			return err
		}
		if p.Has("expect") {
			repl.EmitOf(p).Ack = true // --expect checks the ack, so there must be one
		}
		return nil
	}
	t.Add(emit)

	t.Add(cmdline.Spec{Name: "connect",
		Flags: []cmdline.Flag{
			{Name: "auth", Type: cmdline.Object, Value: "JSON", Secret: true, Help: "the auth payload"},
			{Name: "namespace", Short: "n", Type: cmdline.Text, Value: "/ns", Help: "the namespace"},
		},
		Args: []cmdline.Arg{{Name: "URL|/NAMESPACE", Optional: true}},
		Help: "(re)connect: to URL, or to /NAMESPACE on the script's server",
		Check: func(p *cmdline.Parsed) error {
			if len(p.Args) > 0 && strings.HasPrefix(p.Args[0].Text, "/") && p.Has("namespace") {
				return fmt.Errorf("connect %s names a namespace, and so does -n: give one", p.Args[0].Text)
			}
			return nil
		},
		Run: run(func(ctx context.Context, p *cmdline.Parsed) error { return r.connect(ctx, p) }),
	})
	t.Add(cmdline.Spec{Name: "expect",
		Flags: []cmdline.Flag{{Name: "within", Type: cmdline.Duration, Value: "D", Help: "how long to wait (default 5s)"}},
		Args:  []cmdline.Arg{{Name: "EVENT", Missing: "no event name"}, {Name: "MATCH", Optional: true}},
		Help:  "such an event arrives",
		Check: func(p *cmdline.Parsed) error {
			name, err := cmdline.TextOf(p.Args[0])
			if err != nil {
				return fmt.Errorf("the event name %v", err)
			}
			e := &expectStep{event: name, within: defaultWithin}
			if d := p.Duration("within"); d > 0 {
				e.within = d
			}
			if len(p.Args) == 2 {
				if p.Args[1].Kind == cmdline.Quoted {
					return fmt.Errorf("unexpected %q", p.Args[1].Text)
				}
				if e.match, err = cmdline.MatchValue(p.Args[1]); err != nil {
					return err
				}
			}
			p.Value = e
			return nil
		},
		Run: run(func(ctx context.Context, p *cmdline.Parsed) error { return r.expect(ctx, p.Value.(*expectStep)) }),
	})
	t.Add(cmdline.Spec{Name: "expect-error",
		Args: []cmdline.Arg{{Name: "MATCH", Many: true}},
		Help: "the last connect was refused (MATCH against {\"message\":…,\"data\":…})",
		Check: func(p *cmdline.Parsed) error {
			switch len(p.Args) {
			case 0:
				return nil
			case 1:
				m, err := cmdline.MatchValue(p.Args[0])
				p.Value = m
				return err
			}
			return errors.New("wants at most one MATCH")
		},
		Run: run(func(_ context.Context, p *cmdline.Parsed) error {
			m, _ := p.Value.(json.RawMessage)
			return r.expectError(m)
		}),
	})
	t.Add(cmdline.Spec{Name: "expect-disconnect",
		Args: []cmdline.Arg{{Name: "REASON", Many: true}},
		Help: "a disconnect (for that reason)",
		Run:  run(func(ctx context.Context, p *cmdline.Parsed) error { return r.expectDisconnect(ctx, joinText(p.Args)) }),
	})
	t.Add(cmdline.Spec{Name: "set",
		Args: []cmdline.Arg{{Name: "NAME = PATH", Many: true}},
		Help: "keep a value of the last ack or event (args[0].id); ${NAME} puts it in later",
		Check: func(p *cmdline.Parsed) error {
			if len(p.Args) != 3 || p.Args[1].Text != "=" || !cmdline.IsName(p.Args[0].Text) {
				return errors.New("use: set NAME = PATH (such as set id = args[0].id)")
			}
			return nil
		},
		Run: run(func(_ context.Context, p *cmdline.Parsed) error { return r.set(p.Args[0].Text, p.Args[2].Text) }),
	})
	t.Add(cmdline.Spec{Name: "sleep",
		Args: []cmdline.Arg{{Name: "D", Missing: "use: sleep DURATION"}},
		Help: "wait",
		Check: func(p *cmdline.Parsed) error {
			d, err := time.ParseDuration(p.Args[0].Text)
			if err != nil || d < 0 {
				return fmt.Errorf("%q is not a duration such as 500ms", p.Args[0].Text)
			}
			p.Value = d
			return nil
		},
		Run: run(func(ctx context.Context, p *cmdline.Parsed) error {
			select {
			case <-time.After(p.Value.(time.Duration)):
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}),
	})
	t.Add(cmdline.Spec{Name: "print",
		Args: []cmdline.Arg{{Name: "TEXT", Many: true}},
		Help: "report a line",
		Raw:  true,
		Run: run(func(_ context.Context, p *cmdline.Parsed) error {
			var parts []string
			for _, w := range p.Args {
				parts = append(parts, w.Text)
			}
			r.note = strings.Join(parts, " ")
			return nil
		}),
	})
	return t
}

// joinText joins words as text, JSON strings without their quotes.
func joinText(words []cmdline.Word) string {
	var parts []string
	for _, w := range words {
		s, err := cmdline.TextOf(w)
		if err != nil {
			s = w.Text
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// lookup returns a script's variable: a value set (as JSON), or with
// ENV: an environment variable (as text).
func lookup(vars map[string]json.RawMessage) func(string) (cmdline.Value, error) {
	return func(name string) (cmdline.Value, error) {
		if env, ok := strings.CutPrefix(name, "ENV:"); ok {
			v, ok := os.LookupEnv(env)
			if !ok {
				return cmdline.Value{}, fmt.Errorf("environment variable %s is not set", env)
			}
			return cmdline.Value{Text: v}, nil
		}
		v, ok := vars[name]
		if !ok {
			return cmdline.Value{}, fmt.Errorf("${%s} was not set", name)
		}
		return cmdline.Value{JSON: v}, nil
	}
}

// substitute replaces ${NAME} by the value set and ${ENV:NAME} by the
// environment variable, as cmdline.Expand does.
func substitute(text string, vars map[string]json.RawMessage) (string, error) {
	return cmdline.Expand(text, lookup(vars))
}
