// Package console is the prompt of sio serve: commands that emit to the
// clients of a sioserver.Server, list them and disconnect them.
package console

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/siocli/sio/internal/repl"
	"github.com/siocli/sio/internal/sioserver"
	"github.com/siocli/sio/pkg/codec"
)

// Console runs the commands typed at sio serve's prompt against a Server.
// It is not safe for concurrent use.
type Console struct {
	srv *sioserver.Server
	out io.Writer
	ns  string
}

// New returns a Console that prints its answers to out, on the root
// namespace.
func New(srv *sioserver.Server, out io.Writer) *Console {
	return &Console{srv: srv, out: out, ns: codec.RootNamespace}
}

// Prompt is the prompt for the next line: the namespace emits go to.
func (c *Console) Prompt() string { return "serve " + c.ns + "> " }

// ErrQuit is returned by Exec for exit or quit.
var ErrQuit = errors.New("quit")

// Help lists the console's commands.
const Help = `  emit EVENT [ARG...] [--ack]          send to every client on the namespace
  to ID emit EVENT [ARG...] [--ack]    send to one client (client or socket id)
  clients                              list the connected clients
  kick ID                              disconnect a client, or one socket of it
  ns NAMESPACE                         choose the namespace emit sends on
  help                                 this list
  exit                                 stop the server (or Ctrl-D)
ARGs are JSON if they parse as JSON, else strings; 'quoted' is a string;
@file is binary. --ack asks the clients for an ack, printed when it comes.
`

// Exec runs one line. It returns ErrQuit for exit, and an error that
// names what was wrong for a line it cannot run.
func (c *Console) Exec(line string) error {
	words, err := repl.Split(line)
	if err != nil {
		return err
	}
	if len(words) == 0 {
		return nil
	}
	name := words[0].Text
	rest := words[1:]
	switch name {
	case "emit":
		return c.emit("", rest)
	case "to":
		if len(rest) < 3 || rest[1].Text != "emit" {
			return errors.New("usage: to ID emit EVENT [ARG...] [--ack]")
		}
		return c.emit(rest[0].Text, rest[2:])
	case "clients":
		c.clients()
		return nil
	case "kick":
		if len(rest) != 1 {
			return errors.New("usage: kick ID")
		}
		return c.srv.Kick(rest[0].Text)
	case "ns", "use":
		if len(rest) != 1 {
			return errors.New("usage: ns NAMESPACE")
		}
		c.ns = rest[0].Text
		if !strings.HasPrefix(c.ns, "/") {
			c.ns = "/" + c.ns
		}
		return nil
	case "help", "?":
		fmt.Fprint(c.out, Help)
		return nil
	case "exit", "quit":
		return ErrQuit
	}
	return fmt.Errorf("unknown command %q (try help)", name)
}

func (c *Console) emit(id string, words []repl.Word) error {
	ack := false
	kept := words[:0:0]
	for _, w := range words {
		if w.Kind == repl.Bare && w.Text == "--ack" {
			ack = true
			continue
		}
		kept = append(kept, w)
	}
	if len(kept) == 0 {
		return errors.New("emit: name the event")
	}
	event := kept[0].Text
	if codec.IsReservedEvent(event) {
		return fmt.Errorf("emit: %q is a reserved event name", event)
	}
	args, err := repl.Values(kept[1:])
	if err != nil {
		return fmt.Errorf("emit: %w", err)
	}
	n, err := c.srv.Emit(id, c.ns, event, args, ack)
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
