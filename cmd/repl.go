package cmd

import (
	"github.com/siocli/sio/internal/cmdline"
	"github.com/siocli/sio/internal/outcome"

	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/siocli/sio/internal/output"
	"github.com/siocli/sio/internal/repl"
	"github.com/siocli/sio/internal/session"
)

// ReplOptions are the inputs of sio repl.
type ReplOptions struct {
	IO        *IOStreams
	Conn      ConnOptions
	Output    string
	Timeout   time.Duration
	OnConnect []string
	Pretty    bool
	Full      bool
}

// NewReplCmd returns the repl command; runF replaces the real run in tests.
func NewReplCmd(ios *IOStreams, runF func(*ReplOptions) error) *cobra.Command {
	opts := &ReplOptions{IO: ios}
	cmd := &cobra.Command{
		Use:     "repl URL",
		Aliases: []string{"shell"},
		Short:   "An interactive shell on a live Socket.IO server",
		Long: `Connect to a Socket.IO server and type commands: emit events (with or
without an ack), answer the acks the server asks for, connect more
namespaces, and watch every event and lifecycle event as it happens.
Type help for the commands. sio URL with nothing else opens it too.

With standard input not a terminal, commands are read a line at a time
with no prompt, and output follows the non-terminal conventions (one JSON
object a line), so that printf 'emit a 1\nexit\n' | sio repl URL works;
the exit code is 1 if any command failed.`,
		Example: `  sio repl localhost:3000
  sio shell https://example.com/admin -a '{"token":"s3cret"}'
  printf 'emit --ack echo hi\nexit\n' | sio repl localhost:3000`,
		Args: checkArgs(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Conn.URL = args[0]
			if err := opts.Conn.check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return replRun(opts)
		},
	}
	addReplFlags(cmd, opts)
	return cmd
}

func addReplFlags(cmd *cobra.Command, opts *ReplOptions) {
	fs := cmd.Flags()
	addConnFlags(fs, &opts.Conn, true)
	fs.StringVarP(&opts.Output, "output", "o", "auto", "output `format`: auto, text or json")
	fs.DurationVar(&opts.Timeout, "timeout", 10*time.Second, "how long emit --ack waits, unless it says")
	fs.BoolVar(&opts.Pretty, "pretty", false, "print args as indented JSON over several lines, long strings and binary shortened (pretty on|off in the shell)")
	fs.BoolVar(&opts.Full, "full", false, "with --pretty, print long strings and binary whole")
	fs.StringArrayVar(&opts.OnConnect, "on-connect", nil, "after each connect and reconnect of a namespace, run `'emit EVENT [ARG...] [--ack]'` on it (repeatable, in order)")
}

func replRun(opts *ReplOptions) error {
	ios := opts.IO
	format, err := outputFormat(opts.Output, ios.OutTTY || ios.InTTY)
	if err != nil {
		return err
	}
	c, err := opts.Conn.build(ios.ErrOut)
	if err != nil {
		return usage(err)
	}
	if len(c.namespaces) > 1 {
		return usagef("the shell starts on one namespace; connect more with ns /name")
	}
	out, notes := ios.Out, ios.ErrOut
	onConnect, err := parseOnConnect(opts.OnConnect)
	if err != nil {
		return err
	}
	cfg := repl.Config{Session: session.Config{
		URL: c.url, Manager: c.manager, Socket: c.socket, Namespace: c.namespaces[0],
		ConnectTimeout: c.timeout, AckTimeout: opts.Timeout, TraceOn: opts.Conn.Trace,
		OnConnect: onConnect,
	}, ShowSecrets: opts.Conn.ShowSecrets, Redact: opts.Conn.Redact}
	var term *repl.Terminal
	if ios.LineEditing() {
		in, ok := ios.In.(io.ReadCloser)
		if !ok {
			in = io.NopCloser(ios.In)
		}
		term, err = repl.NewTerminal(repl.TerminalConfig{Stdin: in, Stdout: ios.Out, Stderr: ios.ErrOut, HistoryFile: repl.HistoryPath()})
		if err != nil {
			return err
		}
		defer term.Close()
		out, notes = term.Stdout(), term.Stderr()
	}
	printer := output.New(out, format, ios.ColorEnabled())
	printer.SetPretty(opts.Pretty, opts.Full)
	cfg.Out, cfg.Notes, cfg.Flush = printer, notes, func() { printer.Flush() }
	cfg.Session.Trace = opts.Conn.traceWriter(notes).Trace
	sess, err := repl.NewShell(cfg)
	if err != nil {
		return usage(err)
	}
	defer sess.Close()
	ctx := context.Background()
	if err := sess.Start(ctx); err != nil {
		printer.Flush()
		return connectFailure(err, c.timeout)
	}
	warnAuthOnV4(ios, sess.Session().Manager(), c)
	var reader cmdline.LineReader
	if term != nil {
		term.SetCompleter(sess.Completer())
		reader = term
		fmt.Fprintln(notes, "Connected. Type help for the commands, exit or Ctrl-D to leave.")
	} else {
		reader = cmdline.NewPipeReader(ios.In)
	}
	failed, err := sess.Run(ctx, reader, notes)
	sess.Close()
	printer.Flush()
	if err != nil {
		return err
	}
	if failed > 0 && term == nil {
		return quiet(outcome.Failed, "%d commands failed", failed)
	}
	return nil
}
