// Package repl is sio's interactive shell: its command language, parsed
// here, and the session that carries the commands out.
package repl

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/siocli/sio/internal/cliargs"
	"github.com/siocli/sio/pkg/codec"
)

// Command is one parsed command.
type Command struct {
	Name string // as in the commands table: "emit", "ns", "!save"...

	Event   string        // emit
	Args    []any         // emit, reply: values for codec.MarshalArgs
	Ack     bool          // emit --ack
	Timeout time.Duration // emit --timeout; 0: the session's default

	Glob      string          // on, off
	Namespace string          // ns, use
	Auth      json.RawMessage // ns --auth
	ReplyID   *uint64         // reply ID
	On        bool            // trace on|off
	Topic     string          // help COMMAND
	File      string          // !save FILE
}

// spec describes a command for the parser and for help.
type spec struct {
	name, use, help string
}

// commands are the shell's commands, in the order help lists them.
var commands = []spec{
	{"emit", "emit [--ack] [--timeout D] EVENT [ARG...]", "emit an event; --ack waits for the ack and shows it with its round trip"},
	{"on", "on GLOB", "show incoming events whose names match GLOB (*, ?, [a-z])"},
	{"off", "off GLOB", "hide incoming events whose names match GLOB"},
	{"mute", "mute", "hide lifecycle lines"},
	{"unmute", "unmute", "show lifecycle lines again"},
	{"ns", "ns [/NAME [--auth JSON]]", "connect a namespace on the same connection and make it current; alone, list the namespaces"},
	{"use", "use /NAME", "make a namespace current"},
	{"reply", "reply [ID] [ARG...]", "answer an ack the server asked for (ID as shown; the latest without it)"},
	{"pending", "pending", "list the server's ack requests not answered yet"},
	{"connect", "connect", "connect the current namespace again"},
	{"disconnect", "disconnect", "leave the current namespace"},
	{"reconnect", "reconnect", "close the connection and open a new one"},
	{"status", "status", "protocol, transport, session and socket ids, ping timings, queued emits"},
	{"trace", "trace on|off", "print every HTTP exchange and WebSocket frame"},
	{"history", "history", "list the commands given so far"},
	{"clear", "clear", "clear the screen"},
	{"help", "help [COMMAND]", "list the commands, or explain one"},
	{"exit", "exit", "disconnect and leave (also quit, or Ctrl-D)"},
	{"!save", "!save FILE", "write the commands given so far as a script for sio run"},
}

var aliases = map[string]string{"quit": "exit", "?": "help"}

// lookup returns the spec of a command name or alias.
func lookup(name string) (spec, bool) {
	if a, ok := aliases[name]; ok {
		name = a
	}
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return spec{}, false
}

// Names returns every command name and alias, sorted, for completion.
func Names() []string {
	var names []string
	for _, c := range commands {
		names = append(names, c.name)
	}
	for a := range aliases {
		names = append(names, a)
	}
	sort.Strings(names)
	return names
}

// Parse turns a line's words into a command. An empty line gives nil.
// Errors are one line, naming the command and what was wrong.
func Parse(words []Word) (*Command, error) {
	if len(words) == 0 {
		return nil, nil
	}
	if words[0].Kind != Bare {
		return nil, fmt.Errorf("%s: not a command; try help", words[0].Text)
	}
	sp, ok := lookup(words[0].Text)
	if !ok {
		return nil, fmt.Errorf("%s: unknown command; try help", words[0].Text)
	}
	c := &Command{Name: sp.name}
	rest := words[1:]
	usage := func(why string) error { return fmt.Errorf("%s: %s (use: %s)", sp.name, why, sp.use) }
	noArgs := func() error {
		if len(rest) > 0 {
			return usage("takes no arguments")
		}
		return nil
	}
	switch sp.name {
	case "emit":
		for len(rest) > 0 && rest[0].Kind == Bare && strings.HasPrefix(rest[0].Text, "--") {
			switch flag, val, _ := strings.Cut(rest[0].Text, "="); flag {
			case "--ack":
				c.Ack = true
				rest = rest[1:]
			case "--timeout":
				if val == "" {
					if len(rest) < 2 {
						return nil, usage("--timeout wants a duration such as 5s")
					}
					val, rest = rest[1].Text, rest[1:]
				}
				d, err := time.ParseDuration(val)
				if err != nil || d <= 0 {
					return nil, usage(fmt.Sprintf("--timeout %q is not a duration such as 5s", val))
				}
				c.Timeout, c.Ack = d, true
				rest = rest[1:]
			default:
				return nil, usage(fmt.Sprintf("unknown option %s", flag))
			}
		}
		if len(rest) == 0 {
			return nil, usage("no event name")
		}
		name, err := text(rest[0])
		if err != nil {
			return nil, usage("the event name " + err.Error())
		}
		if codec.IsReservedEvent(name) {
			return nil, usage(fmt.Sprintf("%q is a reserved event name", name))
		}
		c.Event = name
		if c.Args, err = Values(rest[1:]); err != nil {
			return nil, fmt.Errorf("emit: %v", err)
		}
	case "on", "off":
		if len(rest) != 1 {
			return nil, usage("wants one pattern")
		}
		if _, err := path.Match(rest[0].Text, ""); err != nil {
			return nil, usage(fmt.Sprintf("bad pattern %q", rest[0].Text))
		}
		c.Glob = rest[0].Text
	case "ns":
		if len(rest) == 0 {
			return c, nil
		}
		c.Namespace = namespace(rest[0].Text)
		rest = rest[1:]
		if len(rest) > 0 {
			if rest[0].Text != "--auth" || len(rest) != 2 {
				return nil, usage("after the namespace only --auth JSON")
			}
			var obj map[string]json.RawMessage
			if err := json.Unmarshal([]byte(rest[1].Text), &obj); err != nil {
				return nil, usage("--auth must be a JSON object")
			}
			c.Auth = json.RawMessage(rest[1].Text)
		}
	case "use":
		if len(rest) != 1 {
			return nil, usage("wants one namespace")
		}
		c.Namespace = namespace(rest[0].Text)
	case "reply":
		if len(rest) > 0 && rest[0].Kind == Bare {
			if id, err := strconv.ParseUint(rest[0].Text, 10, 64); err == nil {
				c.ReplyID = &id
				rest = rest[1:]
			}
		}
		var err error
		if c.Args, err = Values(rest); err != nil {
			return nil, fmt.Errorf("reply: %v", err)
		}
	case "trace":
		if len(rest) != 1 || (rest[0].Text != "on" && rest[0].Text != "off") {
			return nil, usage("wants on or off")
		}
		c.On = rest[0].Text == "on"
	case "help":
		if len(rest) > 1 {
			return nil, usage("wants at most one command name")
		}
		if len(rest) == 1 {
			if _, ok := lookup(rest[0].Text); !ok {
				return nil, usage(fmt.Sprintf("no command %q", rest[0].Text))
			}
			c.Topic = rest[0].Text
		}
	case "!save":
		if len(rest) != 1 {
			return nil, usage("wants one file name")
		}
		c.File = rest[0].Text
	default:
		if err := noArgs(); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func namespace(s string) string {
	if !strings.HasPrefix(s, "/") {
		return "/" + s
	}
	return s
}

// text returns a word as a plain string: a JSON word must be a string.
func text(w Word) (string, error) {
	if w.Kind != JSON {
		return w.Text, nil
	}
	var s string
	if err := json.Unmarshal([]byte(w.Text), &s); err != nil {
		return "", errors.New("must be a string")
	}
	return s, nil
}

// Values turns argument words into emit values: a 'quoted' word is a
// string, a JSON word its JSON, a bare word follows sio emit's rules.
func Values(words []Word) ([]any, error) {
	out := make([]any, 0, len(words))
	for i, w := range words {
		var v any
		var err error
		switch w.Kind {
		case Quoted:
			v = w.Text
		case JSON:
			if !json.Valid([]byte(w.Text)) {
				return nil, fmt.Errorf("argument %d (%.40s): invalid JSON", i+1, w.Text)
			}
			v, err = cliargs.FromJSON([]byte(w.Text))
		default:
			if w.Text == "@-" {
				return nil, fmt.Errorf("argument %d: @- (standard input) is not available in the shell", i+1)
			}
			var vs []any
			vs, err = cliargs.Parse([]string{w.Text}, cliargs.Options{})
			if err == nil {
				v = vs[0]
			}
		}
		if err != nil {
			var ce *cliargs.Error
			if errors.As(err, &ce) {
				err = ce.Err
			}
			return nil, fmt.Errorf("argument %d (%.40s): %v", i+1, w.Text, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// Help returns the help text: every command, or one.
func Help(topic string) string {
	var b strings.Builder
	if topic != "" {
		sp, _ := lookup(topic)
		fmt.Fprintf(&b, "%s\n    %s\n", sp.use, sp.help)
		if sp.name == "emit" || sp.name == "reply" {
			b.WriteString(argHelp)
		}
		return b.String()
	}
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-42s %s\n", c.use, c.help)
	}
	b.WriteString(argHelp)
	return b.String()
}

const argHelp = `Arguments: 42 is a number, "42" and 'it is' are strings, hello is a
string, {"a":[1,2]} is JSON (it may span lines), @path is a file's bytes
as binary, {"$binary":"<base64>"} is binary inside JSON.
`
