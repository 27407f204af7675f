package bench

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/siocli/sio/internal/output"
)

// WriteText writes the report as the summary a terminal shows. Names
// that came from the server have their control characters made visible.
func (r *Report) WriteText(w io.Writer) {
	fmt.Fprintf(w, "sio bench %s: %d clients", r.Target, r.Clients.Target)
	if len(r.Shards) != 1 || r.Shards[0] != "1/1" {
		fmt.Fprintf(w, " (shards %s)", strings.Join(r.Shards, ", "))
	}
	fmt.Fprintf(w, ", %.1fs", r.Seconds)
	if r.Interrupted {
		fmt.Fprint(w, ", cut short by a signal (Ctrl-C)")
	}
	fmt.Fprint(w, "\n\n")
	c, n := r.Clients, r.Counters
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "clients\t%d started, %d connected at the end (websocket %d, polling %d), peak %d\n",
		c.Started, c.Connected, c.WebSocket, c.Polling, c.Peak)
	fmt.Fprintf(tw, "connects\t%d, %d errors, %d disconnects, %d reconnects\n", n.Connects, n.ConnectErrors, n.Disconnects, n.Reconnects)
	fmt.Fprintf(tw, "emits\t%d (%s/s), %d acks, %d ack timeouts, %d acks awaited at the end, %d failed steps\n", n.Emits, rate(n.Emits, r.Seconds), n.Acks, n.AckTimeouts, n.AcksPending, n.StepErrors)
	fmt.Fprintf(tw, "events in\t%d (%s/s)\n", n.Events, rate(n.Events, r.Seconds))
	fmt.Fprintf(tw, "bytes\t%s in, %s out\n", output.Bytes(n.BytesIn), output.Bytes(n.BytesOut))
	tw.Flush()

	fmt.Fprintln(w)
	names := r.histogramOrder()
	width := len("ms")
	for _, name := range names {
		width = max(width, len(output.Visible(name)))
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%-*s\tcount\tmin\tp50\tp90\tp95\tp99\tp99.9\tmax\tmean\t\n", width, "ms")
	for _, name := range names {
		st := r.Histograms[name]
		label := fmt.Sprintf("%-*s", width, output.Visible(name))
		if st.Count == 0 {
			fmt.Fprintf(tw, "%s\t0\t\t\t\t\t\t\t\t\t\n", label)
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", label, st.Count,
			ms(st.Min), ms(st.P50), ms(st.P90), ms(st.P95), ms(st.P99), ms(st.P999), ms(st.Max), ms(st.Mean))
	}
	tw.Flush()

	for _, part := range []struct {
		title string
		m     map[string]int64
	}{
		{"connect errors", r.ConnectErrors}, {"disconnects", r.Disconnects}, {"failed steps", r.StepErrors},
		{"events in", r.Events}, {"ack timeouts", r.AckTimeouts},
	} {
		if len(part.m) == 0 || (part.title == "events in" && len(part.m) == 1 && n.Events > 0) {
			continue
		}
		fmt.Fprintf(w, "\n%s\n", part.title)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, k := range byCount(part.m) {
			fmt.Fprintf(tw, "  %d\t%s\n", part.m[k], output.Visible(k))
		}
		tw.Flush()
	}
	if len(r.Thresholds) > 0 {
		fmt.Fprintln(w, "\nthresholds")
		for _, v := range r.Thresholds {
			fmt.Fprintf(w, "  %s\n", v.Line())
		}
	}
}

// Line is a verdict as one line: ok or FAILED, the threshold, the value.
func (v Verdict) Line() string {
	word := "ok    "
	if !v.OK {
		word = "FAILED"
	}
	if v.Why != "" {
		return fmt.Sprintf("%s  %s  (%s)", word, output.Visible(v.Threshold), output.Visible(v.Why))
	}
	return fmt.Sprintf("%s  %s  (measured %s%s)", word, output.Visible(v.Threshold), trim(v.Value), v.Unit)
}

// histogramOrder lists the histograms: the fixed ones first, then ack
// and gap per event, by name.
func (r *Report) histogramOrder() []string {
	order := slices.Clone(fixedHistograms)
	var rest []string
	for k := range r.Histograms {
		if !slices.Contains(fixedHistograms, k) {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	var out []string
	for _, k := range append(order, rest...) {
		if _, ok := r.Histograms[k]; ok {
			out = append(out, k)
		}
	}
	return out
}

// byCount orders a map's keys by count, the largest first.
func byCount(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return keys
}

func ms(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func trim(v float64) string {
	s := fmt.Sprintf("%.3f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}

func rate(n int64, seconds float64) string {
	if seconds <= 0 {
		return "0"
	}
	return trim(float64(int64(float64(n)/seconds*10)) / 10)
}

// Status is the one line a run shows while it goes.
type Status struct {
	prev     time.Time
	emits    int64
	acks     int64
	received int64
}

// Line returns the status now: clients connected of the target, emits,
// acks and events per second since the last line, the ack p50 and p99 so
// far, and the errors.
func (s *Status) Line(m *Metrics, target int, elapsed time.Duration) string {
	now := time.Now()
	emits, acks, events := m.emits.total(), m.ackCount.total(), m.events.total()
	secs := now.Sub(s.prev).Seconds()
	if s.prev.IsZero() || secs <= 0 {
		secs = elapsed.Seconds()
	}
	line := fmt.Sprintf("%5.0fs  clients %d/%d  emits/s %s  acks/s %s  events/s %s",
		elapsed.Seconds(), m.connected.Load(), target,
		rate(emits-s.emits, secs), rate(acks-s.acks, secs), rate(events-s.received, secs))
	if p50, ok := m.Ack.Quantile(0.5); ok {
		p99, _ := m.Ack.Quantile(0.99)
		line += fmt.Sprintf("  ack p50 %sms p99 %sms", ms(p50), ms(p99))
	}
	line += fmt.Sprintf("  errors %d", m.errors())
	s.prev, s.emits, s.acks, s.received = now, emits, acks, events
	return line
}
