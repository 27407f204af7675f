package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ReportVersion is the version of the report's schema.
const ReportVersion = 1

// Report is what a run measured: counters, and histograms whose sketches
// let reports of shards merge exactly. Durations are in milliseconds.
type Report struct {
	Version int       `json:"sio_bench"`
	Target  string    `json:"target"` // the URL, credentials redacted
	Started time.Time `json:"started"`
	Seconds float64   `json:"seconds"` // how long the run took
	// Interrupted says that a signal (Ctrl-C) cut the run short, in this
	// report's shard or in one of those merged.
	Interrupted bool     `json:"interrupted,omitempty"`
	Shards      []string `json:"shards"` // "I/N" of each shard merged; ["1/1"] unsharded
	Clients     Clients  `json:"clients"`
	Counters    Counters `json:"counters"`

	ConnectErrors map[string]int64 `json:"connect_errors"` // "kind: message"
	Disconnects   map[string]int64 `json:"disconnects"`    // by reason
	StepErrors    map[string]int64 `json:"step_errors"`    // failed scenario steps, by line and error
	Emits         map[string]int64 `json:"emits"`          // by event
	Acks          map[string]int64 `json:"acks"`           // by event
	AckTimeouts   map[string]int64 `json:"ack_timeouts"`   // by event
	Events        map[string]int64 `json:"events"`         // received, by event

	// Histograms: open, connect, upgrade, ack, and ack:EVENT and gap:EVENT
	// for each event name.
	Histograms map[string]Stats `json:"histograms"`
	Thresholds []Verdict        `json:"thresholds,omitempty"`
}

// Clients counts the virtual clients.
type Clients struct {
	Target    int   `json:"target"`    // of the whole run, every shard's
	Started   int64 `json:"started"`   // by this report's shards
	Connected int64 `json:"connected"` // at the end
	Peak      int64 `json:"peak"`      // connected at once at most (summed over shards)
	Polling   int64 `json:"polling"`   // on each transport at the end
	WebSocket int64 `json:"websocket"`
}

// Counters are the run's totals.
type Counters struct {
	Connects      int64 `json:"connects"`
	ConnectErrors int64 `json:"connect_errors"`
	Disconnects   int64 `json:"disconnects"`
	Reconnects    int64 `json:"reconnects"`
	Emits         int64 `json:"emits"`
	Acks          int64 `json:"acks"`
	AckTimeouts   int64 `json:"ack_timeouts"`
	AcksPending   int64 `json:"acks_pending"` // still awaited when the run ended: neither acks nor timeouts
	Events        int64 `json:"events"`
	StepErrors    int64 `json:"step_errors"`
	Errors        int64 `json:"errors"` // connect errors, ack timeouts and failed steps
	BytesIn       int64 `json:"bytes_in"`
	BytesOut      int64 `json:"bytes_out"`
}

// Report returns what m measured so far.
func (m *Metrics) Report() *Report {
	r := &Report{
		Version:       ReportVersion,
		ConnectErrors: m.connectErrors.snapshot(),
		Disconnects:   m.disconnects.snapshot(),
		StepErrors:    m.stepErrors.snapshot(),
		Emits:         m.emits.snapshot(),
		Acks:          m.ackCount.snapshot(),
		AckTimeouts:   m.timeouts.snapshot(),
		Events:        m.events.snapshot(),
		Histograms: map[string]Stats{
			"open": m.Open.Stats(), "connect": m.Connect.Stats(),
			"upgrade": m.Upgrade.Stats(), "ack": m.Ack.Stats(), "held": m.Held.Stats(),
		},
	}
	for _, name := range m.acks.names() {
		r.Histograms["ack:"+name] = m.acks.get(name).Stats()
	}
	for _, name := range m.gaps.names() {
		r.Histograms["gap:"+name] = m.gaps.get(name).Stats()
	}
	r.Clients = Clients{Connected: m.connected.Load(), Peak: m.peak.Load(),
		Polling: m.polling.Load(), WebSocket: m.websocket.Load()}
	r.Counters.Connects = m.connects.Load()
	r.Counters.Reconnects = m.reconnects.Load()
	r.Counters.AcksPending = m.pending.Load()
	r.Counters.BytesIn = m.bytesIn.Load()
	r.Counters.BytesOut = m.bytesOut.Load()
	r.total()
	return r
}

// total sums the by-name maps into the counters that are their totals.
func (r *Report) total() {
	sum := func(m map[string]int64) (n int64) {
		for _, v := range m {
			n += v
		}
		return n
	}
	c := &r.Counters
	c.ConnectErrors = sum(r.ConnectErrors)
	c.Disconnects = sum(r.Disconnects)
	c.StepErrors = sum(r.StepErrors)
	c.Emits = sum(r.Emits)
	c.Acks = sum(r.Acks)
	c.AckTimeouts = sum(r.AckTimeouts)
	c.Events = sum(r.Events)
	c.Errors = c.ConnectErrors + c.AckTimeouts + c.StepErrors
}

// ReadReport parses a report written by sio bench.
func ReadReport(data []byte) (*Report, error) {
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("not a sio bench report: %v", err)
	}
	if r.Version != ReportVersion {
		return nil, fmt.Errorf("not a sio bench report of version %d (it says %d)", ReportVersion, r.Version)
	}
	for name, st := range r.Histograms {
		if _, err := decodeHistogram(st); err != nil {
			return nil, fmt.Errorf("histogram %s: %v", name, err)
		}
	}
	return &r, nil
}

// Merge merges the reports of a run's shards into one: counters add up,
// sketches merge (percentiles are those of every value of every shard,
// never averages), and the run lasted from the first start to the last
// end. Thresholds are not carried over: check them again.
func Merge(rs []*Report) (*Report, error) {
	if len(rs) == 0 {
		return nil, errors.New("no reports to merge")
	}
	out := &Report{Version: ReportVersion, Target: rs[0].Target, Started: rs[0].Started,
		Clients: Clients{Target: rs[0].Clients.Target}, Histograms: map[string]Stats{}}
	maps := []*map[string]int64{&out.ConnectErrors, &out.Disconnects, &out.StepErrors, &out.Emits, &out.Acks, &out.AckTimeouts, &out.Events}
	for _, p := range maps {
		*p = map[string]int64{}
	}
	hists := map[string]*Histogram{}
	seen := map[string]bool{}
	var end time.Time
	for i, r := range rs {
		if r.Target != out.Target {
			return nil, fmt.Errorf("report %d is of %s, report 1 of %s", i+1, r.Target, out.Target)
		}
		if r.Clients.Target != out.Clients.Target {
			return nil, fmt.Errorf("report %d is of a run of %d clients, report 1 of %d", i+1, r.Clients.Target, out.Clients.Target)
		}
		for _, s := range r.Shards {
			if seen[s] {
				return nil, fmt.Errorf("shard %s is in more than one report", s)
			}
			seen[s] = true
			out.Shards = append(out.Shards, s)
		}
		if r.Started.Before(out.Started) {
			out.Started = r.Started
		}
		out.Interrupted = out.Interrupted || r.Interrupted
		if e := r.Started.Add(time.Duration(r.Seconds * float64(time.Second))); e.After(end) {
			end = e
		}
		c := &out.Clients
		c.Started += r.Clients.Started
		c.Connected += r.Clients.Connected
		c.Peak += r.Clients.Peak
		c.Polling += r.Clients.Polling
		c.WebSocket += r.Clients.WebSocket
		out.Counters.Connects += r.Counters.Connects
		out.Counters.Reconnects += r.Counters.Reconnects
		out.Counters.AcksPending += r.Counters.AcksPending
		out.Counters.BytesIn += r.Counters.BytesIn
		out.Counters.BytesOut += r.Counters.BytesOut
		from := []map[string]int64{r.ConnectErrors, r.Disconnects, r.StepErrors, r.Emits, r.Acks, r.AckTimeouts, r.Events}
		for j, m := range from {
			for k, v := range m {
				(*maps[j])[k] += v
			}
		}
		for name, st := range r.Histograms {
			h, err := decodeHistogram(st)
			if err != nil {
				return nil, fmt.Errorf("report %d, histogram %s: %v", i+1, name, err)
			}
			if hists[name] == nil {
				hists[name] = NewHistogram()
			}
			hists[name].Merge(h)
		}
	}
	out.Seconds = end.Sub(out.Started).Seconds()
	for name, h := range hists {
		out.Histograms[name] = h.Stats()
	}
	out.total()
	return out, nil
}
