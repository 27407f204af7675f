package bench

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Threshold is a condition a run must meet, such as ack.p99<50ms or
// errors==0.
type Threshold struct {
	Expr   string  // as given
	Metric string  // a counter, or a histogram's name
	Stat   string  // for a histogram: count, min, max, mean, p50 … p99.9
	Op     string  // <, <=, >, >=, ==, !=
	Value  float64 // milliseconds for a duration
}

// Verdict is a threshold checked against a report.
type Verdict struct {
	Threshold string  `json:"threshold"`
	Value     float64 `json:"value"`          // measured
	Unit      string  `json:"unit,omitempty"` // ms for a duration
	OK        bool    `json:"ok"`
	Why       string  `json:"why,omitempty"` // when there was nothing to measure
}

var thresholdRE = regexp.MustCompile(`^\s*([A-Za-z_][^<>=!]*?)\s*(<=|>=|==|!=|<|>)\s*(\S+)\s*$`)

var statRE = regexp.MustCompile(`^(.+)\.(count|min|max|mean|p50|p75|p90|p95|p99|p99\.9|p999)$`)

// counterNames are the counters a threshold may name, and how to read
// them from a report.
var counterNames = map[string]func(*Report) int64{
	"connects":       func(r *Report) int64 { return r.Counters.Connects },
	"connect_errors": func(r *Report) int64 { return r.Counters.ConnectErrors },
	"disconnects":    func(r *Report) int64 { return r.Counters.Disconnects },
	"reconnects":     func(r *Report) int64 { return r.Counters.Reconnects },
	"emits":          func(r *Report) int64 { return r.Counters.Emits },
	"acks":           func(r *Report) int64 { return r.Counters.Acks },
	"ack_timeouts":   func(r *Report) int64 { return r.Counters.AckTimeouts },
	"acks_pending":   func(r *Report) int64 { return r.Counters.AcksPending },
	"events":         func(r *Report) int64 { return r.Counters.Events },
	"step_errors":    func(r *Report) int64 { return r.Counters.StepErrors },
	"errors":         func(r *Report) int64 { return r.Counters.Errors },
	"bytes_in":       func(r *Report) int64 { return r.Counters.BytesIn },
	"bytes_out":      func(r *Report) int64 { return r.Counters.BytesOut },
	"clients":        func(r *Report) int64 { return r.Clients.Connected },
	"peak":           func(r *Report) int64 { return r.Clients.Peak },
}

// byName are the counters kept by name, read as NAME:KEY (emits:chat).
var byName = map[string]func(*Report) map[string]int64{
	"emits":          func(r *Report) map[string]int64 { return r.Emits },
	"acks":           func(r *Report) map[string]int64 { return r.Acks },
	"ack_timeouts":   func(r *Report) map[string]int64 { return r.AckTimeouts },
	"events":         func(r *Report) map[string]int64 { return r.Events },
	"disconnects":    func(r *Report) map[string]int64 { return r.Disconnects },
	"connect_errors": func(r *Report) map[string]int64 { return r.ConnectErrors },
}

// ParseThreshold reads a threshold: HISTOGRAM.STAT OP DURATION (ack.p99<50ms,
// ack:chat.p95<=20ms, connect.max<1s; a bare number is milliseconds) or
// COUNTER OP NUMBER (errors==0, acks>=1000, events:tick>0).
func ParseThreshold(s string) (Threshold, error) {
	m := thresholdRE.FindStringSubmatch(s)
	if m == nil {
		return Threshold{}, fmt.Errorf("threshold %q: want METRIC OP VALUE, such as ack.p99<50ms or errors==0", s)
	}
	t := Threshold{Expr: strings.TrimSpace(s), Op: m[2]}
	name, value := m[1], m[3]
	if sm := statRE.FindStringSubmatch(name); sm != nil {
		t.Metric, t.Stat = sm[1], sm[2]
		if t.Stat == "p999" {
			t.Stat = "p99.9"
		}
		base, _, _ := strings.Cut(t.Metric, ":")
		if !slices.Contains(fixedHistograms, t.Metric) && base != "ack" && base != "gap" {
			return Threshold{}, fmt.Errorf("threshold %q: no histogram %s; there are open, connect, upgrade, ack, ack:EVENT and gap:EVENT", s, t.Metric)
		}
		if t.Stat == "count" {
			n, err := strconv.ParseFloat(value, 64)
			if err != nil {
				return Threshold{}, fmt.Errorf("threshold %q: %q is not a number", s, value)
			}
			t.Value = n
			return t, nil
		}
		d, err := parseMillis(value)
		if err != nil {
			return Threshold{}, fmt.Errorf("threshold %q: %v", s, err)
		}
		t.Value = d
		return t, nil
	}
	base, key, keyed := strings.Cut(name, ":")
	if _, ok := counterNames[base]; !ok || (keyed && byName[base] == nil) {
		if slices.Contains(fixedHistograms, base) || base == "gap" {
			return Threshold{}, fmt.Errorf("threshold %q: %s is a histogram; name a figure of it, such as %s.p99", s, name, name)
		}
		return Threshold{}, fmt.Errorf("threshold %q: no counter %s; there are errors, connects, connect_errors, disconnects, reconnects, emits, acks, ack_timeouts, acks_pending, events, step_errors, bytes_in, bytes_out, clients, peak", s, name)
	}
	if keyed && key == "" {
		return Threshold{}, fmt.Errorf("threshold %q: no name after %s:", s, base)
	}
	n, err := strconv.ParseFloat(value, 64)
	if err != nil {
		return Threshold{}, fmt.Errorf("threshold %q: %q is not a number", s, value)
	}
	t.Metric, t.Value = name, n
	return t, nil
}

// parseMillis reads a duration (50ms, 1.5s) or a bare number of
// milliseconds.
func parseMillis(s string) (float64, error) {
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		return n, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as 50ms", s)
	}
	return float64(d) / float64(time.Millisecond), nil
}

// Check checks t against r.
func (t Threshold) Check(r *Report) Verdict {
	v := Verdict{Threshold: t.Expr, Unit: t.Unit()}
	if t.Stat != "" {
		st, ok := r.Histograms[t.Metric]
		if !ok || (st.Count == 0 && t.Stat != "count") {
			v.Why = fmt.Sprintf("nothing was measured for %s", t.Metric)
			return v
		}
		v.Value = map[string]float64{"count": float64(st.Count), "min": st.Min, "max": st.Max, "mean": st.Mean,
			"p50": st.P50, "p75": st.P75, "p90": st.P90, "p95": st.P95, "p99": st.P99, "p99.9": st.P999}[t.Stat]
	} else if base, key, ok := strings.Cut(t.Metric, ":"); ok {
		v.Value = float64(byName[base](r)[key])
	} else {
		v.Value = float64(counterNames[t.Metric](r))
	}
	switch t.Op {
	case "<":
		v.OK = v.Value < t.Value
	case "<=":
		v.OK = v.Value <= t.Value
	case ">":
		v.OK = v.Value > t.Value
	case ">=":
		v.OK = v.Value >= t.Value
	case "==":
		v.OK = v.Value == t.Value
	case "!=":
		v.OK = v.Value != t.Value
	}
	return v
}

// Unit is how a verdict's value reads: with ms for a duration.
func (t Threshold) Unit() string {
	if t.Stat != "" && t.Stat != "count" {
		return "ms"
	}
	return ""
}
