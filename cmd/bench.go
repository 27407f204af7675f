package cmd

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/siocli/sio/internal/bench"
	"github.com/siocli/sio/internal/cliargs"
	"github.com/siocli/sio/internal/outcome"
	"github.com/siocli/sio/internal/output"
	"github.com/siocli/sio/internal/script"
	"github.com/siocli/sio/internal/session"
)

// BenchOptions are the inputs of sio bench.
type BenchOptions struct {
	IO         *IOStreams
	Conn       ConnOptions
	Clients    int
	Ramp       time.Duration
	Duration   time.Duration
	Iterations int
	Emits      []string
	Ack        bool
	Timeout    time.Duration
	Every      time.Duration
	Expect     []string
	Scenario   string
	Mix        string
	Thresholds []string
	Shard      string
	Output     string
	ReportFile string
	Yes        bool
	Quiet      bool
	StartAt    string

	startAt time.Time

	thresholds    []bench.Threshold
	shard, shards int
	polling       float64
}

// askAbove is the number of clients above which sio bench asks first on a
// terminal.
const askAbove = 1000

// NewBenchCmd returns the bench command; runF replaces the real run in
// tests.
func NewBenchCmd(ios *IOStreams, runF func(*BenchOptions) error) *cobra.Command {
	opts := &BenchOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "bench URL",
		Short: "Load-test a server with many clients, and report timings and counts",
		Long: `Start --clients virtual clients against URL, each its own Engine.IO
session, spread over --ramp. Each client connects, then runs its steps
in a loop until --duration ends or it did --iterations: the --emit
flags (with --ack, paced by --every), or a --scenario file in the
language of sio run (emit, expect, reply, sleep, set). ${CLIENT} (0 to
N-1) and ${ITER} (0, 1, ...) make payloads unique.

Measured, as mergeable DDSketch histograms (1% relative accuracy): the
time to open the Engine.IO session, to connect the namespace, to
upgrade; each ack's round trip, overall and per event; the gap between
two server events of a name. Counted: connects, connect errors by kind
and message, disconnects by reason, reconnects, emits, acks, ack
timeouts, events by name, bytes in and out, clients on each transport.

A status line shows on a terminal every second (every 10s otherwise);
the report goes to standard output at the end: a summary on a terminal,
JSON otherwise (-o), and to --report FILE. --threshold checks it: exit 6
naming each that failed. --shard I/N runs one part of the population on
this machine; sio bench merge joins the shards' reports exactly.`,
		Example: `  sio bench localhost:3000 --clients 100 --ramp 5s --duration 30s
  sio bench localhost:3000 --clients 1000 --emit 'echo {"n": ${ITER}}' --ack --every 500ms \
      --threshold 'ack.p99<50ms' --threshold 'errors==0'
  sio bench localhost:3000 --clients 200 --scenario chat.sio --iterations 10 --mix polling=20%
  sio bench localhost:3000 --clients 10000 --shard 2/4 --report shard2.json --yes`,
		Args: checkArgs(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Conn.URL = args[0]
			if err := opts.check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return benchRun(opts)
		},
	}
	fs := cmd.Flags()
	addConnFlags(fs, &opts.Conn, true)
	fs.IntVarP(&opts.Clients, "clients", "c", 10, "virtual clients, each its own Engine.IO session")
	fs.DurationVar(&opts.Ramp, "ramp", 0, "spread the clients' arrivals over this time")
	fs.DurationVarP(&opts.Duration, "duration", "d", 0, "how long the run lasts (default 10s, or until --iterations are done)")
	fs.IntVar(&opts.Iterations, "iterations", 0, "each client runs its steps this many times, then disconnects")
	fs.StringArrayVar(&opts.Emits, "emit", nil, "each iteration emits `'EVENT [ARG...]'` (repeatable, in order)")
	fs.BoolVar(&opts.Ack, "ack", false, "each --emit waits for its ack")
	fs.DurationVar(&opts.Timeout, "timeout", 10*time.Second, "how long an ack may take before it counts as a timeout")
	fs.DurationVar(&opts.Every, "every", 0, "start each client's iterations this often (default: back to back)")
	fs.StringArrayVar(&opts.Expect, "expect", nil, "count this server `EVENT` even if none arrive (every event is counted)")
	fs.StringVar(&opts.Scenario, "scenario", "", "each iteration runs this script `file` (instead of --emit)")
	fs.StringVar(&opts.Mix, "mix", "", "a share of clients that stay on polling, such as `polling=20%`")
	fs.StringArrayVar(&opts.Thresholds, "threshold", nil, "a condition such as `'ack.p99<50ms'` or 'errors==0' (repeatable): exit 6 if one fails")
	fs.StringVar(&opts.Shard, "shard", "", "run the I-th of N equal parts of the clients, `I/N`")
	fs.StringVarP(&opts.Output, "output", "o", "auto", "report format: auto, text or json")
	fs.StringVar(&opts.ReportFile, "report", "", "also write the JSON report to this `file`")
	fs.BoolVarP(&opts.Quiet, "quiet", "Q", false, "print no status line while the run goes")
	fs.StringVar(&opts.StartAt, "start-at", "", "begin the ramp at this `time` (RFC 3339), so that shards started apart run together")
	fs.BoolVarP(&opts.Yes, "yes", "y", false, fmt.Sprintf("do not ask before starting more than %d clients", askAbove))
	cmd.AddCommand(newBenchMergeCmd(ios))
	return cmd
}

// check validates the flags that need no connection.
func (opts *BenchOptions) check() error {
	switch {
	case opts.Clients < 1:
		return usagef("--clients %d: want 1 or more", opts.Clients)
	case opts.Ramp < 0 || opts.Duration < 0 || opts.Every < 0:
		return usagef("--ramp, --duration and --every cannot be negative")
	case opts.Iterations < 0:
		return usagef("--iterations %d: want 1 or more", opts.Iterations)
	case opts.Timeout <= 0:
		return usagef("--timeout must be positive")
	case opts.Scenario != "" && len(opts.Emits) > 0:
		return usagef("give the steps with --emit or --scenario, not both")
	case opts.Iterations > 0 && opts.Scenario == "" && len(opts.Emits) == 0:
		return usagef("--iterations counts runs of the steps: give --emit or --scenario")
	case opts.Ack && len(opts.Emits) == 0:
		return usagef("--ack waits for the acks of --emit: give --emit")
	case len(opts.Conn.Namespaces) > 1:
		return usagef("every client connects to one namespace; -n was given %d times", len(opts.Conn.Namespaces))
	}
	for _, s := range opts.Thresholds {
		t, err := bench.ParseThreshold(s)
		if err != nil {
			return usage(err)
		}
		opts.thresholds = append(opts.thresholds, t)
	}
	opts.shard, opts.shards = 1, 1
	if opts.Shard != "" {
		i, n, ok := strings.Cut(opts.Shard, "/")
		var err1, err2 error
		opts.shard, err1 = strconv.Atoi(i)
		opts.shards, err2 = strconv.Atoi(n)
		if !ok || err1 != nil || err2 != nil || opts.shards < 1 || opts.shard < 1 || opts.shard > opts.shards {
			return usagef("--shard %q: want I/N with 1 <= I <= N, such as 2/4", opts.Shard)
		}
	}
	if opts.StartAt != "" {
		t, err := time.Parse(time.RFC3339, opts.StartAt)
		if err != nil {
			return usagef("--start-at %q: want a time such as 2026-12-01T15:04:05Z", opts.StartAt)
		}
		opts.startAt = t
	}
	if opts.Mix != "" {
		p, err := parseMix(opts.Mix)
		if err != nil {
			return usage(err)
		}
		if p > 0 && opts.Conn.Transport == "websocket" {
			return usagef("--mix %s keeps clients on polling, --transport websocket allows none", opts.Mix)
		}
		opts.polling = p
	}
	if _, err := outputFormat(opts.Output, opts.IO.OutTTY); err != nil {
		return err
	}
	return opts.Conn.check()
}

// parseMix reads --mix polling=P%.
func parseMix(s string) (float64, error) {
	name, share, ok := strings.Cut(s, "=")
	pct, isPct := strings.CutSuffix(share, "%")
	p, err := strconv.ParseFloat(pct, 64)
	if !ok || name != "polling" || !isPct || err != nil || p < 0 || p > 100 {
		return 0, fmt.Errorf("--mix %q: want polling=P%%, such as polling=20%%", s)
	}
	return p / 100, nil
}

// steps returns what each client runs: the --emit flags as emit steps, or
// the scenario file's steps.
func (opts *BenchOptions) steps() ([]script.Step, error) {
	if opts.Scenario != "" {
		src, err := cliargs.ReadFile(opts.Scenario)
		if err != nil {
			return nil, usagef("--scenario: %v", err)
		}
		steps, err := script.Parse(string(src))
		if err != nil {
			return nil, usagef("%s: %v", opts.Scenario, err)
		}
		if len(steps) == 0 {
			return nil, usagef("%s has no steps", opts.Scenario)
		}
		if err := script.CheckLoop(steps); err != nil {
			return nil, usagef("%s: %v", opts.Scenario, err)
		}
		return steps, nil
	}
	var steps []script.Step
	for i, e := range opts.Emits {
		line := "emit " + e
		if opts.Ack {
			line += " --timeout " + opts.Timeout.String()
		}
		st, err := script.Parse(line)
		var se *script.SyntaxError
		if errors.As(err, &se) {
			err = se.Err
		}
		if err == nil && len(st) != 1 {
			err = errors.New("want one 'EVENT [ARG...]'")
		}
		if err != nil {
			return nil, usagef("--emit %q: %v", e, err)
		}
		st[0].Line = i + 1 // the flag's place, in what a failed step names
		steps = append(steps, st[0])
	}
	return steps, nil
}

func benchRun(opts *BenchOptions) error {
	steps, err := opts.steps()
	if err != nil {
		return err
	}
	c, err := opts.Conn.build(opts.IO.ErrOut)
	if err != nil {
		return usage(err)
	}
	format, _ := outputFormat(opts.Output, opts.IO.OutTTY)
	mine := (opts.Clients - opts.shard + opts.shards) / opts.shards // clients of this shard
	if err := raiseFileLimit(mine, opts.Conn.Transport == "websocket"); err != nil {
		return err
	}
	if opts.Clients > askAbove && opts.IO.InTTY && !opts.Yes {
		fmt.Fprintf(opts.IO.ErrOut, "Start %d clients against %s? [y/N] ", opts.Clients, opts.Conn.shown(c.url))
		answer, _ := bufio.NewReader(opts.IO.In).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
			return usagef("not started (--yes starts without asking)")
		}
	}
	duration := opts.Duration
	if duration == 0 && opts.Iterations == 0 {
		duration = 10 * time.Second
	}
	cfg := bench.Config{
		Target: opts.Conn.shown(c.url),
		Client: session.Config{
			URL: c.url, Manager: c.manager, Socket: c.socket, Namespace: c.namespaces[0],
			ConnectTimeout: c.timeout, AckTimeout: opts.Timeout,
		},
		Clients: opts.Clients, Shard: opts.shard, Shards: opts.shards,
		Ramp: opts.Ramp, Duration: duration, Iterations: opts.Iterations, Every: opts.Every,
		Steps: steps, Expect: opts.Expect, Polling: opts.polling,
	}
	if c.manager.Engine.Trace != nil {
		cfg.Client.Trace, cfg.Client.TraceOn = c.manager.Engine.Trace, true
	}

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	if ago := time.Since(opts.startAt); !opts.startAt.IsZero() && ago > time.Minute {
		return usagef("--start-at %s was %v ago", opts.StartAt, ago.Round(time.Second))
	}
	cfg.Start = opts.startAt
	m := bench.NewMetrics()
	stopStatus := opts.showStatus(m, mine)
	report := bench.Run(ctx, cfg, m)
	report.Interrupted = ctx.Err() != nil // before anything else takes time
	stopStatus()
	err = opts.finish(report, format)
	if report.Interrupted && err == nil {
		return quiet(outcome.Failed, "the run was cut short") // exit 1, as every command Ctrl-C ends
	}
	return err
}

// showStatus prints the status line on standard error while the run goes:
// in place every second on a terminal, a plain line every 10s otherwise.
func (opts *BenchOptions) showStatus(m *bench.Metrics, clients int) (stop func()) {
	if opts.Quiet {
		return func() {}
	}
	every, tty := 10*time.Second, opts.IO.ErrTTY
	if tty {
		every = time.Second
	}
	start := time.Now()
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		var st bench.Status
		tk := time.NewTicker(every)
		defer tk.Stop()
		for {
			select {
			case <-done:
				if tty {
					fmt.Fprint(opts.IO.ErrOut, "\r\x1b[K")
				}
				return
			case <-tk.C:
				line := st.Line(m, clients, time.Since(start))
				if tty {
					fmt.Fprintf(opts.IO.ErrOut, "\r\x1b[K%s", line)
				} else {
					fmt.Fprintln(opts.IO.ErrOut, line)
				}
			}
		}
	}()
	return func() { close(done); <-finished }
}

// finish checks the thresholds, writes the report and returns the run's
// outcome.
func (opts *BenchOptions) finish(r *bench.Report, format output.Format) error {
	var failed []string
	r.Thresholds = nil
	for _, t := range opts.thresholds {
		v := t.Check(r)
		r.Thresholds = append(r.Thresholds, v)
		if !v.OK {
			failed = append(failed, v.Line())
		}
	}
	data, _ := json.MarshalIndent(r, "", "  ")
	if opts.ReportFile != "" {
		if err := os.WriteFile(opts.ReportFile, append(data, '\n'), 0o644); err != nil {
			return fmt.Errorf("--report: %v", err)
		}
	}
	if format == output.JSON {
		fmt.Fprintf(opts.IO.Out, "%s\n", data)
	} else {
		r.WriteText(opts.IO.Out)
	}
	if len(failed) > 0 {
		for _, f := range failed {
			fmt.Fprintf(opts.IO.ErrOut, "sio: threshold failed: %s\n", strings.TrimSpace(strings.TrimPrefix(f, "FAILED")))
		}
		return quiet(outcome.Expectation, "%d thresholds failed", len(failed))
	}
	if r.Counters.Connects == 0 && r.Clients.Started > 0 {
		return noneConnected(r)
	}
	return nil
}

// noneConnected is the outcome of a run where no client connected: the
// server refused the namespace, or could not be reached; the most
// frequent cause is named.
func noneConnected(r *bench.Report) error {
	top, n, refused := "", int64(0), true
	for k, v := range r.ConnectErrors {
		if v > n || (v == n && k < top) {
			top, n = k, v
		}
		if !strings.HasPrefix(k, "refused: ") {
			refused = false
		}
	}
	if top == "" {
		return outcome.Errorf(outcome.Unreachable, "no client connected before the run ended")
	}
	kind := outcome.Unreachable
	if refused {
		kind = outcome.Refused
	}
	times := fmt.Sprintf("%d times", n)
	if n == 1 {
		times = "once"
	}
	return outcome.Errorf(kind, "no client connected: %s (%s)", top, times)
}

// newBenchMergeCmd returns sio bench merge.
func newBenchMergeCmd(ios *IOStreams) *cobra.Command {
	var thresholds []string
	var format, file string
	cmd := &cobra.Command{
		Use:   "merge REPORT...",
		Short: "Merge the JSON reports of a sharded run into one, and check thresholds again",
		Long: `Merge the reports that sio bench --shard I/N --report FILE wrote into
the report of the whole run: counters add up, and the histograms' sketches
merge, so that percentiles are those of every value measured, not
averages of the shards'. --threshold checks the merged report.`,
		Example: `  sio bench merge shard-*.json --threshold 'ack.p99<50ms'`,
		Args:    checkArgs(cobra.MinimumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			var ts []bench.Threshold
			for _, s := range thresholds {
				t, err := bench.ParseThreshold(s)
				if err != nil {
					return usage(err)
				}
				ts = append(ts, t)
			}
			f, err := outputFormat(format, ios.OutTTY)
			if err != nil {
				return err
			}
			var rs []*bench.Report
			for _, name := range args {
				data, err := cliargs.ReadFile(name)
				if err != nil {
					return usagef("%v", err)
				}
				r, err := bench.ReadReport(data)
				if err != nil {
					return usagef("%s: %v", name, err)
				}
				rs = append(rs, r)
			}
			merged, err := bench.Merge(rs)
			if err != nil {
				return usage(err)
			}
			opts := &BenchOptions{IO: ios, thresholds: ts, ReportFile: file}
			return opts.finish(merged, f)
		},
	}
	cmd.Flags().StringArrayVar(&thresholds, "threshold", nil, "a condition such as `'ack.p99<50ms'` (repeatable): exit 6 if one fails")
	cmd.Flags().StringVarP(&format, "output", "o", "auto", "report format: auto, text or json")
	cmd.Flags().StringVar(&file, "report", "", "also write the merged JSON report to this `file`")
	return cmd
}
