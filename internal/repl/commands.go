// Package repl is sio's interactive shell: its commands, in the command
// language of internal/cmdline, and the session that carries them out.
package repl

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/siocli/sio/internal/cliargs"
	"github.com/siocli/sio/internal/cmdline"
	"github.com/siocli/sio/internal/session"
)

// EmitSpec is the emit command as the shell, scripts, sio serve's prompt
// and emit --then write it; run carries it out (nil for parsing only).
func EmitSpec(run cmdline.RunFunc) cmdline.Spec {
	return cmdline.Spec{
		Name: "emit",
		Flags: []cmdline.Flag{
			{Name: "ack", Help: "wait for the ack and show it with its round trip"},
			{Name: "timeout", Type: cmdline.Duration, Value: "D", Help: "how long to wait for the ack (implies --ack)"},
			{Name: "volatile", Help: "when not connected, drop the emit (and say so) instead of buffering it"},
			{Name: "no-compress", Help: "send it without per-message compression"},
		},
		Args: []cmdline.Arg{
			{Name: "EVENT", Missing: "no event name", Complete: "events"},
			{Name: "ARG", Many: true},
		},
		Help:  "emit an event; --ack waits for the ack and shows it with its round trip",
		Check: checkEmit,
		Run:   run,
	}
}

func checkEmit(p *cmdline.Parsed) error {
	name, err := cmdline.TextOf(p.Args[0])
	if err != nil {
		return fmt.Errorf("the event name %v", err)
	}
	if err := cliargs.CheckEvent(name); err != nil {
		return err
	}
	args, err := cmdline.Values(p.Args[1:])
	if err != nil {
		return err
	}
	e := &session.Emit{Event: name, Args: args, Ack: p.Has("ack") || p.Has("timeout"), Timeout: p.Duration("timeout"),
		Volatile: p.Has("volatile"), NoCompress: p.Has("no-compress")}
	p.Value = e
	return nil
}

// ParseOnConnect reads an emit to make after each connect, written as the
// shell writes it: emit EVENT [ARG...] [--ack].
func ParseOnConnect(words []cmdline.Word) (*session.Emit, error) {
	if len(words) == 0 || words[0].Text != "emit" {
		return nil, fmt.Errorf("want an emit command, such as emit join \"room1\"")
	}
	p, err := Commands(nil).Parse(words)
	if err != nil {
		return nil, err
	}
	e := *EmitOf(p)
	var parts []string
	for _, w := range words {
		parts = append(parts, w.Text)
	}
	e.Text = strings.Join(parts, " ")
	return &e, nil
}

// EmitOf returns the Emit of a parsed emit command.
func EmitOf(p *cmdline.Parsed) *session.Emit { return p.Value.(*session.Emit) }

// ReplyOf returns the Reply of a parsed reply command.
func ReplyOf(p *cmdline.Parsed) *session.Reply { return p.Value.(*session.Reply) }

// NamespaceOf returns the namespace argument of ns or use, "" for none.
func NamespaceOf(p *cmdline.Parsed) string {
	if len(p.Args) == 0 {
		return ""
	}
	return namespace(p.Args[0].Text)
}

func namespace(s string) string {
	if !strings.HasPrefix(s, "/") {
		return "/" + s
	}
	return s
}

// Commands returns the shell's table, its commands carried out by sh. A
// nil sh gives a table for parsing only.
func Commands(sh *Shell) *cmdline.Table {
	run := func(f func(context.Context, *cmdline.Parsed) error) cmdline.RunFunc {
		if sh == nil {
			return nil
		}
		return f
	}
	do := func(f func()) cmdline.RunFunc {
		return run(func(context.Context, *cmdline.Parsed) error { f(); return nil })
	}
	var t *cmdline.Table
	checkGlob := func(p *cmdline.Parsed) error {
		if _, err := path.Match(p.Args[0].Text, ""); err != nil {
			return fmt.Errorf("bad pattern %q", p.Args[0].Text)
		}
		return nil
	}
	t = cmdline.NewTable(
		EmitSpec(run(func(ctx context.Context, p *cmdline.Parsed) error { return sh.emit(ctx, EmitOf(p)) })),
		cmdline.Spec{Name: "on", Args: []cmdline.Arg{{Name: "GLOB", Missing: "wants one pattern", Complete: "events"}},
			Help: "show incoming events whose names match GLOB (*, ?, [a-z])", Check: checkGlob,
			Run: run(func(_ context.Context, p *cmdline.Parsed) error { sh.filter(p.Args[0].Text, true); return nil })},
		cmdline.Spec{Name: "off", Args: []cmdline.Arg{{Name: "GLOB", Missing: "wants one pattern", Complete: "events"}},
			Help: "hide incoming events whose names match GLOB", Check: checkGlob,
			Run: run(func(_ context.Context, p *cmdline.Parsed) error { sh.filter(p.Args[0].Text, false); return nil })},
		cmdline.Spec{Name: "pretty", Looks: true, Args: []cmdline.Arg{{Name: "on|off|full", Missing: "wants on, off or full", Choices: []string{"on", "off", "full"}}},
			Help: "print args as indented JSON over several lines (full: long strings and binary whole); off: one line",
			Run: run(func(_ context.Context, p *cmdline.Parsed) error {
				mode := p.Args[0].Text
				sh.cfg.Out.SetPretty(mode != "off", mode == "full")
				return nil
			})},
		cmdline.Spec{Name: "record", Looks: true, Args: []cmdline.Arg{{Name: "FILE|off", Missing: "wants a file, or off"}},
			Help: "write both directions, with times, as NDJSON to FILE (sio replay reads it); off ends it",
			Run: run(func(_ context.Context, p *cmdline.Parsed) error {
				file := p.Args[0].Text
				if file == "off" {
					file = ""
				}
				return sh.record(file)
			})},
		cmdline.Spec{Name: "mute", Help: "hide lifecycle lines", Run: do(func() { sh.muted.Store(true) })},
		cmdline.Spec{Name: "unmute", Help: "show lifecycle lines again", Run: do(func() { sh.muted.Store(false) })},
		cmdline.Spec{Name: "ns",
			Flags: []cmdline.Flag{{Name: "auth", Type: cmdline.Object, Value: "JSON", Secret: true, Help: "the auth payload"}},
			Args:  []cmdline.Arg{{Name: "/NAME", Optional: true, Complete: "namespaces"}},
			Help:  "connect a namespace on the same connection and make it current; alone, list the namespaces",
			Check: func(p *cmdline.Parsed) error {
				if len(p.Args) == 0 && p.Has("auth") {
					return errors.New("--auth goes with a namespace")
				}
				return nil
			},
			Run: run(func(ctx context.Context, p *cmdline.Parsed) error {
				nsp := NamespaceOf(p)
				if nsp == "" {
					sh.listNamespaces()
					return nil
				}
				return sh.s.Connect(ctx, nsp, p.JSON("auth"))
			})},
		cmdline.Spec{Name: "use", Args: []cmdline.Arg{{Name: "/NAME", Missing: "wants one namespace", Complete: "namespaces"}},
			Help: "make a namespace current",
			Run:  run(func(_ context.Context, p *cmdline.Parsed) error { return sh.s.Use(NamespaceOf(p)) })},
		cmdline.Spec{Name: "reply", Args: []cmdline.Arg{{Name: "ID", Optional: true}, {Name: "ARG", Many: true}},
			Help: "answer an ack the server asked for (ID as shown; the latest without it)",
			Check: func(p *cmdline.Parsed) error {
				r := &session.Reply{}
				args := p.Args
				if len(args) > 0 && args[0].Kind == cmdline.Bare {
					if id, err := strconv.ParseUint(args[0].Text, 10, 64); err == nil {
						r.ID, args = &id, args[1:]
					}
				}
				var err error
				r.Args, err = cmdline.Values(args)
				p.Value = r
				return err
			},
			Run: run(func(ctx context.Context, p *cmdline.Parsed) error { return sh.reply(ctx, ReplyOf(p)) })},
		cmdline.Spec{Name: "on-connect", Raw: true, Args: []cmdline.Arg{{Name: "emit EVENT [ARG...] | clear", Many: true}},
			Help: "emit after each connect and reconnect of a namespace, in order; alone, list them; clear forgets them",
			Check: func(p *cmdline.Parsed) error {
				if len(p.Args) == 0 || (len(p.Args) == 1 && p.Args[0].Text == "clear") {
					return nil
				}
				e, err := ParseOnConnect(p.Args)
				p.Value = e
				return err
			},
			Run: run(func(_ context.Context, p *cmdline.Parsed) error {
				switch e, _ := p.Value.(*session.Emit); {
				case e != nil:
					sh.s.AddOnConnect(e)
					sh.notef("after each connect: %s", e.Text)
				case len(p.Args) == 1:
					sh.s.ClearOnConnect()
					sh.notef("nothing is emitted after a connect any more")
				default:
					sh.listOnConnect()
				}
				return nil
			})},
		adminSpec(run(func(ctx context.Context, p *cmdline.Parsed) error { return sh.adminRun(ctx, p) })),
		cmdline.Spec{Name: "pending", Looks: true, Help: "list the server's ack requests not answered yet", Run: do(func() { sh.listPending() })},
		cmdline.Spec{Name: "connect", Help: "connect the current namespace again",
			Run: run(func(ctx context.Context, _ *cmdline.Parsed) error { return sh.s.ConnectCurrent(ctx) })},
		cmdline.Spec{Name: "disconnect", Help: "leave the current namespace",
			Run: run(func(context.Context, *cmdline.Parsed) error { return sh.s.DisconnectCurrent() })},
		cmdline.Spec{Name: "reconnect", Help: "close the connection and open a new one",
			Run: run(func(ctx context.Context, _ *cmdline.Parsed) error { return sh.s.Reconnect(ctx) })},
		cmdline.Spec{Name: "status", Looks: true, Help: "protocol, transport, session and socket ids, ping timings, queued emits", Run: do(func() { sh.status() })},
		cmdline.Spec{Name: "trace", Looks: true, Args: []cmdline.Arg{{Name: "on|off", Missing: "wants on or off", Choices: []string{"on", "off"}}},
			Help: "print every HTTP exchange and WebSocket frame",
			Run:  run(func(_ context.Context, p *cmdline.Parsed) error { sh.s.SetTrace(p.Args[0].Text == "on"); return nil })},
		cmdline.Spec{Name: "history", Looks: true, Help: "list the commands given so far", Run: do(func() { sh.listHistory() })},
		cmdline.Spec{Name: "clear", Looks: true, Help: "clear the screen", Run: do(func() { sh.clearScreen() })},
		cmdline.Spec{Name: "help", Aliases: []string{"?"}, Looks: true, Args: []cmdline.Arg{{Name: "COMMAND", Optional: true, Complete: "commands"}},
			Help: "list the commands, or explain one",
			Check: func(p *cmdline.Parsed) error {
				if len(p.Args) == 1 {
					if _, ok := t.Lookup(p.Args[0].Text); !ok {
						return fmt.Errorf("no command %q", p.Args[0].Text)
					}
				}
				return nil
			},
			Run: run(func(_ context.Context, p *cmdline.Parsed) error {
				topic := ""
				if len(p.Args) == 1 {
					topic = p.Args[0].Text
				}
				sh.help(topic)
				return nil
			})},
		cmdline.Spec{Name: "exit", Aliases: []string{"quit"}, Looks: true, Help: "disconnect and leave (also quit, or Ctrl-D)",
			Run: run(func(context.Context, *cmdline.Parsed) error { return cmdline.ErrExit })},
		cmdline.Spec{Name: "!save", Looks: true, Args: []cmdline.Arg{{Name: "FILE", Missing: "wants one file name"}},
			Help: "write the commands given so far as a script for sio run (auth values removed)",
			Run:  run(func(_ context.Context, p *cmdline.Parsed) error { return sh.save(p.Args[0].Text) })},
	)
	return t
}
