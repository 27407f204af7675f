package cmd

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/siocli/sio/internal/cliargs"
	"github.com/siocli/sio/internal/outcome"
	"github.com/siocli/sio/internal/output"
	"github.com/siocli/sio/pkg/sioclient"
)

// ReplayOptions are the inputs of sio replay.
type ReplayOptions struct {
	IO      *IOStreams
	Conn    ConnOptions
	File    string
	Speed   string
	Timeout time.Duration

	speed float64 // 0: as fast as acks allow
}

// recorded is a line of a recording, as sio replay reads it.
type recorded struct {
	Time  time.Time       `json:"time"`
	Type  string          `json:"type"`
	Dir   string          `json:"dir"`
	NS    string          `json:"ns"`
	Event string          `json:"event"`
	Args  json.RawMessage `json:"args"`
	AckID *uint64         `json:"ack_id"`
}

// NewReplayCmd returns the replay command.
func NewReplayCmd(ios *IOStreams, runF func(*ReplayOptions) error) *cobra.Command {
	opts := &ReplayOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "replay FILE URL",
		Short: "Send the emits of a recording again, with their timing, and check the acks",
		Long: `Read a recording (sio listen --record, or the shell's record), connect
to URL, and send the recorded emits again on their namespaces, with the
recorded time between them (--speed 2x halves it, max sends each as soon
as the one before is acked). An emit whose ack was recorded waits for
its ack and compares it with the recorded one: the differences are
listed, and sio replay exits 6 when there is one.`,
		Example: `  sio listen localhost:3000 --on-connect 'emit join "room1" --ack' --record session.ndjson
  sio replay session.ndjson localhost:3000 --speed max`,
		Args: checkArgs(cobra.ExactArgs(2)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.File, opts.Conn.URL = args[0], args[1]
			if err := opts.check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return replayRun(opts)
		},
	}
	fs := cmd.Flags()
	addConnFlags(fs, &opts.Conn, false)
	fs.StringVar(&opts.Speed, "speed", "1x", "how fast: 1x as recorded, 2x twice as fast, max as fast as the acks allow")
	fs.DurationVar(&opts.Timeout, "timeout", 10*time.Second, "how long to wait for each ack")
	return cmd
}

func (opts *ReplayOptions) check() error {
	switch s := strings.TrimSuffix(opts.Speed, "x"); {
	case opts.Speed == "max":
		opts.speed = 0
	default:
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || v <= 0 || !strings.HasSuffix(opts.Speed, "x") {
			return usagef("--speed %q: want 1x, 2x, 0.5x or max", opts.Speed)
		}
		opts.speed = v
	}
	if opts.Timeout <= 0 {
		return usagef("--timeout must be positive")
	}
	return opts.Conn.check()
}

// readRecording returns the emits of a recording, in order, and the acks
// it holds by namespace and id.
func readRecording(name string) ([]recorded, map[string]json.RawMessage, error) {
	data, err := cliargs.ReadFile(name)
	if err != nil {
		return nil, nil, usagef("%v", err)
	}
	var emits []recorded
	acks := map[string]json.RawMessage{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var r recorded
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, nil, usagef("%s:%d: not a recording line: %v", name, line, err)
		}
		switch {
		case r.Dir == "out" && r.Type == "emit":
			if r.Event == "" || len(r.Args) == 0 {
				return nil, nil, usagef("%s:%d: an emit without an event or args", name, line)
			}
			emits = append(emits, r)
		case r.Dir == "in" && r.Type == "ack" && r.AckID != nil:
			acks[ackKey(r.NS, *r.AckID)] = r.Args
		}
	}
	if len(emits) == 0 {
		return nil, nil, usagef("%s holds no emit to replay (lines with \"dir\":\"out\",\"type\":\"emit\")", name)
	}
	return emits, acks, nil
}

func ackKey(ns string, id uint64) string { return ns + "\x00" + strconv.FormatUint(id, 10) }

func replayRun(opts *ReplayOptions) error {
	emits, acks, err := readRecording(opts.File)
	if err != nil {
		return err
	}
	c, err := opts.Conn.build(opts.IO.ErrOut)
	if err != nil {
		return usage(err)
	}
	m, err := sioclient.NewManager(c.url, &c.manager)
	if err != nil {
		return usage(err)
	}
	defer m.Close()
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	sockets := map[string]*sioclient.Socket{}
	socket := func(ns string) (*sioclient.Socket, error) {
		if ns == "" {
			ns = "/"
		}
		if s, ok := sockets[ns]; ok {
			return s, nil
		}
		s := m.Socket(ns, &c.socket)
		cctx, ccancel := context.WithTimeout(ctx, c.timeout)
		defer ccancel()
		if err := s.Connect(cctx); err != nil {
			return nil, connectFailure(err, c.timeout)
		}
		sockets[ns] = s
		return s, nil
	}

	out := opts.IO.Out
	start, first := time.Now(), emits[0].Time
	compared, differ := 0, 0
	for _, r := range emits {
		if opts.speed > 0 {
			at := start.Add(time.Duration(float64(r.Time.Sub(first)) / opts.speed))
			select {
			case <-time.After(time.Until(at)):
			case <-ctx.Done():
				return nil
			}
		}
		s, err := socket(r.NS)
		if err != nil {
			return err
		}
		args, err := cliargs.ParseArray(string(r.Args))
		if err != nil {
			return usagef("%s: the args of %s: %v", opts.File, r.Event, err)
		}
		want, recordedAck := json.RawMessage(nil), false
		if r.AckID != nil {
			want, recordedAck = acks[ackKey(r.NS, *r.AckID)]
		}
		if r.AckID == nil {
			if err := s.Emit(r.Event, args...); err != nil {
				return err
			}
			fmt.Fprintf(out, "sent     %s %s\n", s.Namespace(), output.Visible(r.Event))
			continue
		}
		ack, err := s.Timeout(opts.Timeout).EmitWithAck(ctx, r.Event, args...)
		if err != nil {
			if !recordedAck {
				fmt.Fprintf(out, "sent     %s %s (no ack recorded, none came: %s)\n", s.Namespace(), output.Visible(r.Event), describeVisible(err))
				continue
			}
			compared++
			differ++
			fmt.Fprintf(out, "DIFFERS  %s %s: recorded ack %s, now %s\n", s.Namespace(), output.Visible(r.Event), output.Visible(string(want)), describeVisible(err))
			continue
		}
		got, _ := output.AckArgs(ack)
		if !recordedAck {
			fmt.Fprintf(out, "sent     %s %s, ack %s (none recorded)\n", s.Namespace(), output.Visible(r.Event), output.Visible(string(got)))
			continue
		}
		compared++
		if sameJSON(want, got) {
			fmt.Fprintf(out, "same     %s %s, ack %s\n", s.Namespace(), output.Visible(r.Event), output.Visible(string(got)))
		} else {
			differ++
			fmt.Fprintf(out, "DIFFERS  %s %s: recorded ack %s, now %s\n", s.Namespace(), output.Visible(r.Event), output.Visible(string(want)), output.Visible(string(got)))
		}
	}
	ctxf, cancelf := context.WithTimeout(context.Background(), time.Second)
	m.Flush(ctxf)
	cancelf()
	fmt.Fprintf(out, "%d emits replayed, %d acks compared, %d differ\n", len(emits), compared, differ)
	if differ > 0 {
		return quiet(outcome.Expectation, "%d acks differ", differ)
	}
	return nil
}

// sameJSON compares two JSON values, white space aside.
func sameJSON(a, b []byte) bool {
	var x, y bytes.Buffer
	if json.Compact(&x, a) != nil || json.Compact(&y, b) != nil {
		return bytes.Equal(a, b)
	}
	return bytes.Equal(x.Bytes(), y.Bytes())
}
