package cmd

import (
	"github.com/siocli/sio/internal/cliargs"

	"github.com/siocli/sio/internal/outcome"

	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/siocli/sio/internal/output"
	"github.com/siocli/sio/internal/script"
	"github.com/siocli/sio/internal/session"
	"github.com/siocli/sio/pkg/sioclient"
)

// RunOptions are the inputs of sio run.
type RunOptions struct {
	IO        *IOStreams
	Conn      ConnOptions
	File      string
	Output    string
	OnConnect []string
}

// NewRunCmd returns the run command; runF replaces the real run in tests.
func NewRunCmd(ios *IOStreams, runF func(*RunOptions) error) *cobra.Command {
	opts := &RunOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "run FILE [URL]",
		Short: "Run a script of shell commands and check what the server does",
		Long: `Run a script: the shell's commands, one a line (# starts a comment),
plus expectations, and report each step and a summary. FILE - reads
standard input. URL, when given, is where the script connects, whatever
its connect steps say; otherwise its first step must be connect URL.

  connect [URL] [--auth JSON] [-n /ns]   (re)connect
  emit --ack EVENT [ARG...] --expect MATCH  check the ack
  expect EVENT [MATCH] [--within D]       wait for an event (default 5s)
  expect-error [MATCH]                    the last connect was refused
  expect-disconnect [REASON]              wait for a disconnect
  set NAME = PATH                         keep a value of the last ack or
                                          event (args[0].id); use ${NAME}
  ${ENV:NAME}                             an environment variable
  sleep D, print TEXT

MATCH is JSON that what arrived must contain: objects by subset, arrays
by position. Exit code 0 when every step held, 6 when an expectation
failed, 2 for a syntax error (found before anything connects), 3, 4 and
5 as for the other commands.`,
		Example: `  sio run smoke.sio localhost:3000
  echo 'emit --ack echo 1 --expect [1]' | sio run - localhost:3000`,
		Args: checkArgs(cobra.RangeArgs(1, 2)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.File = args[0]
			if len(args) == 2 {
				opts.Conn.URL = args[1]
				if err := opts.Conn.check(); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return runRun(opts)
		},
	}
	fs := cmd.Flags()
	addConnFlags(fs, &opts.Conn, false)
	fs.StringVarP(&opts.Output, "output", "o", "auto", "report format: auto, text or json")
	fs.StringArrayVar(&opts.OnConnect, "on-connect", nil, "after each connect and reconnect of a namespace, run `'emit EVENT [ARG...] [--ack]'` on it (repeatable, in order)")
	return cmd
}

func runRun(opts *RunOptions) error {
	var src []byte
	var err error
	if opts.File == "-" {
		src, err = cliargs.ReadAll(opts.IO.In, "standard input")
	} else {
		src, err = cliargs.ReadFile(opts.File)
	}
	if err != nil {
		return usagef("%v", err)
	}
	steps, err := script.Parse(string(src))
	if err != nil {
		return usage(err)
	}
	if len(steps) == 0 {
		return usagef("%s has no steps", scriptName(opts.File))
	}
	if opts.Conn.URL == "" && !script.HasURL(steps) {
		return usagef("no URL: give one after FILE, or begin the script with connect URL")
	}
	if opts.Conn.URL != "" {
		// The connection options are checked before anything runs.
		if _, err := opts.Conn.build(io.Discard); err != nil {
			return usage(err)
		}
	}
	format, err := outputFormat(opts.Output, opts.IO.OutTTY)
	if err != nil {
		return err
	}
	onConnect, err := parseOnConnect(opts.OnConnect)
	if err != nil {
		return err
	}
	base := opts.Conn
	connect := func(ctx context.Context, url, nsp string, auth json.RawMessage, observe func(*sioclient.Event), lifecycle func(sioclient.Lifecycle)) (*session.Session, error) {
		co := base
		if co.URL == "" { // a URL after FILE overrides the script's
			co.URL = url
		}
		if co.URL == "" {
			return nil, usagef("no URL: give one after FILE, or begin the script with connect URL")
		}
		if nsp != "" {
			co.Namespaces = []string{nsp}
		}
		c, err := co.build(opts.IO.ErrOut)
		if err != nil {
			return nil, usage(err)
		}
		if auth != nil {
			c.socket.Auth = auth
		}
		sess, err := session.New(session.Config{
			URL: c.url, Manager: c.manager, Socket: c.socket, Namespace: c.namespaces[0],
			ConnectTimeout: c.timeout, AckTimeout: defaultAckTimeout,
			OnEvent: observe, OnLifecycle: lifecycle,
			OnConnect: onConnect, OnConnectResult: func(nsp string, e *session.Emit, _ *sioclient.Ack, err error) {
				if err != nil {
					fmt.Fprintf(opts.IO.ErrOut, "sio: on connect of %s, %s: %s\n", nsp, output.Visible(e.Text), describeVisible(err))
				}
			},
		})
		if err != nil {
			return nil, err
		}
		if err := sess.Start(ctx); err != nil {
			sess.Close()
			return nil, connectFailure(err, c.timeout)
		}
		return sess, nil
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	res := script.Run(ctx, steps, script.Options{Connect: connect, URL: opts.Conn.URL, Report: opts.IO.Out, JSON: format == output.JSON})
	if res.Kind != outcome.OK {
		return quiet(res.Kind, "%d steps failed", res.Failed)
	}
	return nil
}

// scriptName names the script in messages.
func scriptName(file string) string {
	if file == "-" {
		return "the script on standard input"
	}
	return file
}

// defaultAckTimeout bounds emit --ack in scripts, unless --timeout says.
const defaultAckTimeout = 10 * time.Second
