package repl

import (
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/siocli/sio/internal/admin"
	"github.com/siocli/sio/internal/cmdline"
	"github.com/siocli/sio/internal/output"
	"github.com/siocli/sio/internal/session"
	"github.com/siocli/sio/pkg/codec"
	"github.com/siocli/sio/pkg/sioclient"
)

// Config is what a Shell needs: its session's, and where it prints.
type Config struct {
	Session session.Config // its OnEvent and OnLifecycle are the Shell's
	// Out receives events, acks and lifecycle lines; Notes receives
	// errors and notices, one line each.
	Out   *output.Printer
	Notes io.Writer
	// Flush is called after each line of output, so that it shows now.
	Flush func()
	// ShowSecrets shows what the admin namespace lists unredacted;
	// Redact names more query parameters and headers to redact (--redact).
	ShowSecrets bool
	Redact      []string
}

// Shell presents a session: it runs the shell's commands on it and prints
// what they return and what the session hears, through its filters.
type Shell struct {
	cfg     Config
	s       *session.Session
	mu      sync.Mutex // guards filters
	filters []filter
	muted   atomic.Bool
	history []string // read and written by the loop's goroutine only
	table   *cmdline.Table
	rec     atomic.Pointer[output.Recorder] // record FILE

	piped atomic.Bool // reading commands from a pipe, not a terminal

	adminMu    sync.Mutex
	admins     map[string]*admin.Client // by admin namespace
	adminWatch atomic.Bool              // admin watch on
}

type filter struct {
	glob string
	show bool
}

// NewShell returns a shell on a new session; Start connects it.
func NewShell(cfg Config) (*Shell, error) {
	sh := &Shell{cfg: cfg}
	sh.table = Commands(sh)
	sc := cfg.Session
	sc.OnEvent, sc.OnLifecycle, sc.OnConnectResult = sh.onEvent, sh.onLifecycle, sh.onConnectResult
	sc.OnOutgoing = func(p *codec.Packet) {
		if r := sh.rec.Load(); r != nil {
			r.Sent(p)
		}
	}
	s, err := session.New(sc)
	if err != nil {
		return nil, err
	}
	sh.s = s
	return sh, nil
}

// Start connects the first namespace.
func (sh *Shell) Start(ctx context.Context) error { return sh.s.Start(ctx) }

// Close disconnects everything, and ends a recording.
func (sh *Shell) Close() {
	sh.s.Close()
	sh.record("")
}

// record starts recording to file, or with "" ends the recording.
func (sh *Shell) record(file string) error {
	var next *output.Recorder
	if file != "" {
		f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return fmt.Errorf("record: %v", err)
		}
		next = output.NewRecorder(f, f)
	}
	// Packets sent before this command are told to the recorder by the
	// dispatcher: let it catch up, so that the recording ends (or starts)
	// where the commands say.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	sh.s.Manager().WaitCallbacks(ctx)
	cancel()
	if old := sh.rec.Swap(next); old != nil {
		if err := old.Close(); err != nil {
			return err
		}
		if file == "" {
			sh.notef("recording ended")
		}
	}
	if file != "" {
		sh.notef("recording both directions to %s (record off ends it)", file)
	}
	return nil
}

// Session returns the session the shell presents.
func (sh *Shell) Session() *session.Session { return sh.s }

// Table returns the shell's commands.
func (sh *Shell) Table() *cmdline.Table { return sh.table }

// Prompt returns the prompt for the current namespace.
func (sh *Shell) Prompt() string { return "sio " + sh.s.Current() + "> " }

// replyWait is how long a piped reply waits for the server to ask.
const replyWait = 5 * time.Second

// Record adds a line to the history !save and history show.
func (sh *Shell) Record(line string) { sh.history = append(sh.history, line) }

// notef prints a note, with what came over the wire in it made Visible.
func (sh *Shell) notef(format string, a ...any) {
	fmt.Fprintln(sh.cfg.Notes, output.Visible(fmt.Sprintf(format, a...)))
	sh.flush()
}

// clearScreen clears the terminal.
func (sh *Shell) clearScreen() {
	fmt.Fprint(sh.cfg.Notes, "\033[H\033[2J")
	sh.flush()
}

func (sh *Shell) flush() {
	if sh.cfg.Flush != nil {
		sh.cfg.Flush()
	}
}

func (sh *Shell) onLifecycle(e sioclient.Lifecycle) {
	if r := sh.rec.Load(); r != nil {
		r.Lifecycle(e)
	}
	if !sh.muted.Load() {
		sh.cfg.Out.Lifecycle(e)
		sh.flush()
	}
}

func (sh *Shell) onEvent(e *sioclient.Event) {
	if r := sh.rec.Load(); r != nil {
		r.Event(e)
	}
	sh.mu.Lock()
	show := true
	for _, f := range sh.filters {
		if ok, _ := path.Match(f.glob, e.Name); ok {
			show = f.show
		}
	}
	sh.mu.Unlock()
	if show {
		sh.cfg.Out.Event(e)
		sh.flush()
	}
}

// onConnectResult shows how an emit after a connect went: its ack, or
// why it failed.
func (sh *Shell) onConnectResult(nsp string, e *session.Emit, ack *sioclient.Ack, err error) {
	switch {
	case err != nil:
		sh.notef("error: on connect of %s, %s: %s", nsp, e.Text, output.Describe(err))
	case ack != nil:
		if r := sh.rec.Load(); r != nil {
			r.Ack(nsp, e.Event, ack)
		}
		sh.cfg.Out.Ack(nsp, e.Event, ack)
		sh.flush()
	}
}

func (sh *Shell) listOnConnect() {
	emits := sh.s.OnConnect()
	if len(emits) == 0 {
		sh.notef("nothing is emitted after a connect (on-connect emit EVENT [ARG...] adds one)")
	}
	for i, e := range emits {
		sh.notef("%4d  %s", i+1, e.Text)
	}
}

func (sh *Shell) filter(glob string, show bool) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sh.filters = append(sh.filters, filter{glob: glob, show: show})
	if show && len(sh.filters) == 1 {
		// The first "on" narrows what is shown to what it names.
		sh.filters = []filter{{"*", false}, sh.filters[0]}
	}
}

func (sh *Shell) emit(ctx context.Context, e *session.Emit) error {
	if !e.Ack {
		return sh.s.Emit(e)
	}
	ack, err := sh.s.EmitWithAck(ctx, e)
	if err != nil {
		return err
	}
	if r := sh.rec.Load(); r != nil {
		r.Ack(ack.Packet.Nsp(), e.Event, ack)
	}
	sh.cfg.Out.Ack(ack.Packet.Nsp(), e.Event, ack)
	sh.flush()
	return nil
}

func (sh *Shell) reply(ctx context.Context, r *session.Reply) error {
	// Piped commands come faster than the server's questions: wait for
	// one, as a script does. On a terminal the question was seen.
	if sh.piped.Load() && !sh.s.WaitAsked(ctx, r.ID, replyWait) {
		return fmt.Errorf("reply: the server asked for no ack within %v", replyWait)
	}
	req, err := sh.s.Reply(r)
	if err != nil {
		return err
	}
	sh.notef("replied to %s %s (ack %d)", req.Namespace, req.Event, req.ID)
	return nil
}

func (sh *Shell) listHistory() {
	for i, h := range sh.history {
		sh.notef("%4d  %s", i+1, h)
	}
}

func (sh *Shell) help(topic string) {
	fmt.Fprint(sh.cfg.Notes, sh.table.Help(topic))
	if sp, _ := sh.table.Lookup(topic); topic == "" || sp.Name == "emit" || sp.Name == "reply" {
		fmt.Fprint(sh.cfg.Notes, cmdline.ArgHelp)
	}
	sh.flush()
}

func (sh *Shell) listPending() {
	pending := sh.s.Pending()
	if len(pending) == 0 {
		fmt.Fprintln(sh.cfg.Notes, "no ack requests pending")
	}
	for _, p := range pending {
		fmt.Fprintln(sh.cfg.Notes, output.Visible(fmt.Sprintf("  %-4d %s %s", p.ID, p.Namespace, p.Event)))
	}
	sh.flush()
}

func (sh *Shell) listNamespaces() {
	for _, n := range sh.s.Status().Namespaces {
		state := n.State.String()
		if n.State == sioclient.Connected {
			state = "connected, id " + n.ID
		}
		mark := " "
		if n.Current {
			mark = "*"
		}
		fmt.Fprintln(sh.cfg.Notes, output.Visible(fmt.Sprintf("%s %-12s %s", mark, n.Namespace, state)))
	}
	sh.flush()
}

func (sh *Shell) status() {
	st := sh.s.Status()
	var b strings.Builder
	if sess := st.Session; sess == nil {
		b.WriteString("not connected\n")
	} else {
		fmt.Fprintf(&b, "Socket.IO protocol %d over Engine.IO %d, %s, session %s\n", sess.Protocol, sess.Engine, sess.Transport, sess.SID)
		fmt.Fprintf(&b, "ping interval %v, timeout %v", sess.Handshake.PingInterval, sess.Handshake.PingTimeout)
		if st.LastRTT > 0 {
			fmt.Fprintf(&b, ", last round trip %v", st.LastRTT.Round(time.Microsecond))
		}
		b.WriteString("\n")
	}
	for _, n := range st.Namespaces {
		fmt.Fprintf(&b, "%-12s connected %-5v id %-22q queued emits %d\n", n.Namespace, n.State == sioclient.Connected, n.ID, n.Buffered)
	}
	for _, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		fmt.Fprintln(sh.cfg.Notes, output.Visible(line))
	}
	sh.flush()
}

// save writes the commands given so far as a script, one a line, leaving
// out the ones that only look (help, history, status...) and the values of
// secret options, readable by its owner only.
func (sh *Shell) save(file string) error {
	var b strings.Builder
	var vars []string // the environment variables the script takes secrets from
	uses := map[string]int{}
	var redacted []string // the commands whose URL credentials were redacted
	n := 0
	for _, line := range sh.history {
		words, err := cmdline.Split(line)
		if err != nil || len(words) == 0 {
			continue
		}
		p, err := sh.table.Parse(words)
		if err != nil || p == nil || p.Spec.Looks {
			continue
		}
		saved := sh.table.Parameterize(line, func(flag string) string {
			name := "SIO_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
			if uses[name]++; uses[name] > 1 {
				name += fmt.Sprint("_", uses[name])
			}
			vars = append(vars, fmt.Sprintf("%s (the --%s of command %d)", name, flag, n+1))
			if flag == "auth" {
				return "${ENV:" + name + "}" // JSON, put in as it is
			}
			return "'${ENV:" + name + "}'" // text, one word whatever it holds
		})
		if strings.Contains(saved, "[redacted]") && !strings.Contains(line, "[redacted]") {
			redacted = append(redacted, strconv.Itoa(n+1))
		}
		b.WriteString(saved)
		b.WriteString("\n")
		n++
	}
	head := "# recorded by sio repl\n"
	if len(vars) > 0 {
		head += "# the secrets were not saved: set " + strings.Join(vars, ", ") + " in the environment before sio run\n"
	}
	if len(redacted) > 0 {
		head += "# credentials in URLs show as [redacted] in command " + strings.Join(redacted, ", ") + ": put them back, or take them from ${ENV:NAME}, before sio run\n"
	}
	body := head + b.String()
	if err := writePrivate(file, []byte(body)); err != nil {
		return fmt.Errorf("!save: %v", err)
	}
	sh.notef("saved %d lines to %s", n, file)
	return nil
}

// writePrivate writes a file readable by its owner only, whatever the
// file's mode was before.
func writePrivate(file string, data []byte) error {
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
