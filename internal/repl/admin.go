package repl

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/siocli/sio/internal/admin"
	"github.com/siocli/sio/internal/cliargs"
	"github.com/siocli/sio/internal/cmdline"
	"github.com/siocli/sio/pkg/sioclient"
)

// adminActions are the shell's admin subcommands.
var adminActions = []string{"sockets", "rooms", "servers", "watch", "join", "leave", "disconnect", "emit"}

// adminSpec is the shell's admin command: sio admin's reads and actions
// on the shell's own connection.
func adminSpec(run cmdline.RunFunc) cmdline.Spec {
	return cmdline.Spec{
		Name: "admin",
		Flags: []cmdline.Flag{
			{Name: "of", Type: cmdline.Text, Value: "NS", Help: "only this namespace's sockets; an action's namespace (default /)"},
			{Name: "room", Type: cmdline.Text, Value: "R", Help: "only the sockets in room R; an action's sockets"},
			{Name: "via", Type: cmdline.Text, Value: "T", Help: "only the sockets on transport T (polling, websocket)"},
			{Name: "socket", Type: cmdline.Text, Value: "ID", Help: "the socket an action is for"},
			{Name: "to", Type: cmdline.Text, Value: "ID|ROOM", Help: "emit: the socket or room to emit to"},
			{Name: "all", Help: "an action is for every socket of the namespace"},
			{Name: "close", Help: "disconnect: close the sockets' whole connections"},
			{Name: "user", Short: "u", Type: cmdline.Text, Value: "USER", Help: "the admin namespace's user (password: --password or SIO_ADMIN_PASSWORD)"},
			{Name: "password", Type: cmdline.Text, Value: "PW", Secret: true, Help: "the password of --user"},
			{Name: "admin-ns", Type: cmdline.Text, Value: "NS", Help: "the admin namespace (default /admin)"},
		},
		Args: []cmdline.Arg{
			{Name: "ACTION", Optional: true, Choices: adminActions},
			{Name: "ARG", Many: true},
		},
		Help: "the server's side, over the admin UI's protocol: admin [sockets|rooms|servers|watch on|off|join ROOM|leave ROOM|disconnect|emit EVENT ARG...]",
		Check: func(p *cmdline.Parsed) error {
			action, rest := "sockets", p.Args
			if len(p.Args) > 0 {
				action, rest = p.Args[0].Text, p.Args[1:]
			}
			switch {
			case action == "watch" && (len(rest) != 1 || rest[0].Text != "on" && rest[0].Text != "off"):
				return errors.New("admin watch wants on or off")
			case (action == "join" || action == "leave") && len(rest) != 1:
				return fmt.Errorf("admin %s wants one ROOM", action)
			case action == "emit" && len(rest) == 0:
				return errors.New("admin emit wants the EVENT")
			case action != "watch" && action != "join" && action != "leave" && action != "emit" && len(rest) > 0:
				return fmt.Errorf("admin %s takes no arguments", action)
			case p.Has("via") && p.String("via") != "polling" && p.String("via") != "websocket":
				return fmt.Errorf("--via %q: want polling or websocket", p.String("via"))
			}
			if action == "emit" {
				name, err := cmdline.TextOf(rest[0])
				if err != nil {
					return fmt.Errorf("the event name %v", err)
				}
				if err := cliargs.CheckEvent(name); err != nil {
					return err
				}
				if _, err := cmdline.Values(rest[1:]); err != nil {
					return err
				}
			}
			if slices.Contains([]string{"join", "leave", "disconnect", "emit"}, action) {
				n := 0
				for _, f := range []string{"socket", "room", "to", "all"} {
					if p.Has(f) {
						n++
					}
				}
				switch {
				case n == 0:
					return fmt.Errorf("say which sockets: --socket ID, --room R, --to ID|ROOM (emit) or --all")
				case n > 1:
					return errors.New("give one of --socket, --room, --to and --all")
				case p.Has("to") && action != "emit", p.Has("socket") && action == "emit":
					return errors.New("emit takes --to ID|ROOM or --all; join, leave and disconnect take --socket ID, --room R or --all")
				}
			}
			return nil
		},
		Run: run,
	}
}

// adminRun carries out an admin command.
func (sh *Shell) adminRun(ctx context.Context, p *cmdline.Parsed) error {
	action, rest := "sockets", p.Args
	if len(p.Args) > 0 {
		action, rest = p.Args[0].Text, p.Args[1:]
	}
	cl, err := sh.adminClient(ctx, p)
	if err != nil {
		return err
	}
	of := p.String("of")
	if of != "" && !strings.HasPrefix(of, "/") {
		of = "/" + of
	}
	switch action {
	case "watch":
		sh.adminWatch.Store(rest[0].Text == "on")
		if rest[0].Text == "on" {
			sh.notef("the server's changes are shown as they come (admin watch off hides them)")
		}
		return nil
	case "servers":
		return sh.adminServers(ctx, cl)
	case "sockets", "rooms":
		if !cl.Listed() {
			sh.notef("the server runs the admin UI in production mode: it lists no sockets, only each node's stats every 2 s; these are the namespaces' socket counts")
			return sh.adminServers(ctx, cl)
		}
		socks := cl.Shown(admin.Filter{Namespace: of, Room: p.String("room"), Transport: p.String("via")}, sh.cfg.ShowSecrets, sh.cfg.Redact...)
		if action == "rooms" {
			err = sh.cfg.Out.AdminRooms(admin.Rooms(socks))
		} else {
			err = sh.cfg.Out.AdminSockets(socks, cl.Socket().ID(), time.Now())
		}
		sh.flush()
		return err
	}
	if of == "" {
		of = "/"
	}
	a := admin.Action{Kind: action, Namespace: of, Close: p.Has("close")}
	switch {
	case p.Has("socket"):
		a.Target.Socket = p.String("socket")
	case p.Has("room"):
		a.Target.Room = p.String("room")
	case p.Has("to"):
		a.Target = admin.TargetTo(cl.Sockets(), of, p.String("to"))
	default:
		a.Target.All = true
	}
	switch action {
	case "join", "leave":
		a.Room = rest[0].Text
	case "emit":
		a.Event, _ = cmdline.TextOf(rest[0])
		a.Args, _ = cmdline.Values(rest[1:]) // checked
	}
	r, err := cl.Act(ctx, a)
	if err != nil {
		return err
	}
	err = sh.cfg.Out.AdminResult(sh.cfg.Notes, a, r, cl.Shown(admin.Filter{Namespace: of}, sh.cfg.ShowSecrets, sh.cfg.Redact...), cl.Socket().ID())
	sh.flush()
	return err
}

// adminServers prints the server nodes, waiting for their stats when
// none came yet.
func (sh *Shell) adminServers(ctx context.Context, cl *admin.Client) error {
	if len(cl.Servers()) == 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(admin.StatsWait):
		}
	}
	if len(cl.Servers()) == 0 {
		return fmt.Errorf("no server node sent its stats within %v", admin.StatsWait)
	}
	err := sh.cfg.Out.AdminServers(cl.Servers(), time.Now())
	sh.flush()
	return err
}

// adminClient returns the admin namespace's client, connected on the
// shell's connection (again with the credentials of --user when given).
func (sh *Shell) adminClient(ctx context.Context, p *cmdline.Parsed) (*admin.Client, error) {
	nsp := admin.DefaultNamespace
	if p.Has("admin-ns") {
		nsp = p.String("admin-ns")
		if !strings.HasPrefix(nsp, "/") {
			nsp = "/" + nsp
		}
	}
	user := p.String("user")
	pw := p.String("password")
	if user != "" && !p.Has("password") {
		var ok bool
		if pw, ok = os.LookupEnv("SIO_ADMIN_PASSWORD"); !ok {
			return nil, fmt.Errorf("--user %s needs a password: give --password or set SIO_ADMIN_PASSWORD", user)
		}
	}
	sh.adminMu.Lock()
	defer sh.adminMu.Unlock()
	if sh.admins == nil {
		sh.admins = map[string]*admin.Client{}
	}
	cl := sh.admins[nsp]
	if cl == nil {
		var opened *admin.Client
		cl = admin.Open(sh.s.Manager(), nsp, sioclient.SocketOptions{}, admin.Options{Username: user, Password: pw, OnChange: func(ch admin.Change) {
			// In development mode the changes say it all; the nodes'
			// stats every 2 s would drown them.
			if sh.adminWatch.Load() && (ch.Kind != admin.StatsReceived || !opened.Config().Development()) {
				sh.cfg.Out.AdminChange(ch)
				sh.flush()
			}
		}})
		opened = cl
		sh.admins[nsp] = cl
	} else if p.Has("user") {
		cl.SetCredentials(user, pw)
		cl.Socket().Disconnect() // to connect again with them
	}
	if cl.Socket().Connected() {
		return cl, nil
	}
	cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := cl.Connect(cctx); err != nil {
		if errors.Is(err, admin.ErrCredentials) {
			return nil, fmt.Errorf("the admin namespace %s refused the credentials: give --user USER with --password or SIO_ADMIN_PASSWORD", nsp)
		}
		if errors.Is(err, admin.ErrNoNamespace) {
			return nil, fmt.Errorf("the server has no namespace %s: is it instrumented with @socket.io/admin-ui, or on another --admin-ns?", nsp)
		}
		return nil, err
	}
	return cl, nil
}
