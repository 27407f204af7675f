// Package console is the prompt of sio serve: commands that emit to the
// clients of a sioserver.Server, list them and disconnect them.
package console

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/siocli/sio/internal/cmdline"
	"github.com/siocli/sio/internal/repl"
	"github.com/siocli/sio/internal/session"
	"github.com/siocli/sio/internal/sioserver"
	"github.com/siocli/sio/pkg/codec"
)

// Console runs the commands typed at sio serve's prompt against a Server.
// It is not safe for concurrent use.
type Console struct {
	srv   *sioserver.Server
	out   io.Writer
	ns    string
	table *cmdline.Table
}

// New returns a Console that prints its answers to out, on the root
// namespace.
func New(srv *sioserver.Server, out io.Writer) *Console {
	c := &Console{srv: srv, out: out, ns: codec.RootNamespace}
	c.table = c.commands()
	return c
}

// Prompt is the prompt for the next line: the namespace emits go to.
func (c *Console) Prompt() string { return "serve " + c.ns + "> " }

// Table returns the console's commands, for a cmdline.Loop.
func (c *Console) Table() *cmdline.Table { return c.table }

// Completer completes the console's commands.
func (c *Console) Completer() *cmdline.Completer { return &cmdline.Completer{Table: c.table} }

// ErrQuit is returned by Exec for exit.
var ErrQuit = cmdline.ErrExit

func (c *Console) commands() *cmdline.Table {
	emit := repl.EmitSpec(func(_ context.Context, p *cmdline.Parsed) error { return c.emit("", repl.EmitOf(p)) })
	emit.Flags = emit.Flags[:1] // --ack: the ack prints when it comes, whenever that is
	emit.Help = "send to every client on the namespace; --ack asks for an ack, printed when it comes"
	var t *cmdline.Table
	t = cmdline.NewTable(
		emit,
		cmdline.Spec{Name: "to", Raw: true,
			Args: []cmdline.Arg{{Name: "ID|ROOM"}, {Name: "emit EVENT [ARG...]"}},
			Help: "send to one client (client or socket id), or to the clients in a room of the namespace",
			Check: func(p *cmdline.Parsed) error {
				if len(p.Args) < 3 || p.Args[1].Text != "emit" {
					return fmt.Errorf("wants an id or a room and an emit (use: %s)", p.Spec.Use())
				}
				sub, err := t.Parse(p.Args[1:])
				if err != nil {
					return err
				}
				p.Value = sub
				return nil
			},
			Run: func(_ context.Context, p *cmdline.Parsed) error {
				return c.emit(p.Args[0].Text, repl.EmitOf(p.Value.(*cmdline.Parsed)))
			}},
		cmdline.Spec{Name: "clients", Help: "list the connected clients",
			Run: func(context.Context, *cmdline.Parsed) error { c.clients(); return nil }},
		cmdline.Spec{Name: "kick", Args: []cmdline.Arg{{Name: "ID", Missing: "wants a client or socket id"}},
			Help: "disconnect a client, or one socket of it",
			Run:  func(_ context.Context, p *cmdline.Parsed) error { return c.srv.Kick(p.Args[0].Text) }},
		cmdline.Spec{Name: "ns", Aliases: []string{"use"}, Args: []cmdline.Arg{{Name: "NAMESPACE", Missing: "wants a namespace"}},
			Help: "choose the namespace emit sends on",
			Run: func(_ context.Context, p *cmdline.Parsed) error {
				c.ns = p.Args[0].Text
				if !strings.HasPrefix(c.ns, "/") {
					c.ns = "/" + c.ns
				}
				return nil
			}},
		cmdline.Spec{Name: "help", Aliases: []string{"?"}, Help: "this list",
			Run: func(context.Context, *cmdline.Parsed) error {
				fmt.Fprint(c.out, t.Help(""))
				fmt.Fprint(c.out, cmdline.ArgHelp)
				return nil
			}},
		cmdline.Spec{Name: "exit", Aliases: []string{"quit"}, Help: "stop the server (or Ctrl-D)",
			Run: func(context.Context, *cmdline.Parsed) error { return cmdline.ErrExit }},
	)
	return t
}

// Exec runs one line. It returns ErrQuit for exit, and an error that
// names what was wrong for a line it cannot run.
func (c *Console) Exec(line string) error {
	words, err := cmdline.Split(line)
	if err != nil {
		return err
	}
	p, err := c.table.Parse(words)
	if err != nil || p == nil {
		return err
	}
	return p.Spec.Run(context.Background(), p)
}

func (c *Console) emit(id string, e *session.Emit) error {
	n, err := c.srv.Emit(id, c.ns, e.Event, e.Args, e.Ack)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.out, "sent to %d %s on %s\n", n, plural(n, "client", "clients"), c.ns)
	return nil
}

func (c *Console) clients() {
	cs := c.srv.Clients()
	if len(cs) == 0 {
		fmt.Fprintln(c.out, "no clients")
		return
	}
	for _, ci := range cs {
		fmt.Fprintf(c.out, "%s  Engine.IO %d  %-9s  %s  for %s\n", ci.ID, ci.Engine, ci.Transport, ci.Remote, time.Since(ci.Since).Round(time.Second))
		for _, so := range ci.Sockets {
			fmt.Fprintf(c.out, "    %-10s %s\n", so.Namespace, so.ID)
		}
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
