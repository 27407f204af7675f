package bench

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// maxNames bounds the distinct names (events, reasons, error messages) a
// run counts one by one; the rest are counted together under Other, so
// that a server sending endless new names cannot grow the report.
const maxNames = 100

// Other is the name the names beyond maxNames are counted under.
const Other = "(other)"

// counts is a bounded map of counters.
type counts struct {
	mu sync.Mutex
	m  map[string]int64
}

func (c *counts) add(name string, n int64) {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]int64{}
	}
	if _, ok := c.m[name]; !ok && len(c.m) >= maxNames {
		name = Other
	}
	c.m[name] += n
	c.mu.Unlock()
}

func (c *counts) snapshot() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int64, len(c.m))
	for k, v := range c.m {
		out[k] = v
	}
	return out
}

func (c *counts) total() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var n int64
	for _, v := range c.m {
		n += v
	}
	return n
}

// histograms is a bounded map of histograms by name.
type histograms struct {
	mu sync.Mutex
	m  map[string]*Histogram
}

func (hs *histograms) get(name string) *Histogram {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if hs.m == nil {
		hs.m = map[string]*Histogram{}
	}
	h, ok := hs.m[name]
	if !ok {
		if len(hs.m) >= maxNames {
			name = Other
			if h, ok = hs.m[name]; ok {
				return h
			}
		}
		h = NewHistogram()
		hs.m[name] = h
	}
	return h
}

func (hs *histograms) names() []string {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	var out []string
	for k := range hs.m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Metrics are what a run measures, shared by its clients.
type Metrics struct {
	Open    *Histogram // dial to the Engine.IO handshake
	Connect *Histogram // dial to the namespace connected
	Upgrade *Histogram // the handshake to the upgrade to WebSocket
	Ack     *Histogram // every ack round trip, from the write that carried the emit
	Held    *Histogram // how long each acked emit waited in sio before that write
	acks    histograms // ack round trips by event
	gaps    histograms // time between two server events of a name at one client

	connects, reconnects                   atomic.Int64
	pending                                atomic.Int64 // acks still awaited when the run ended
	connected, peak, polling, websocket    atomic.Int64 // clients now, and at most
	bytesIn, bytesOut                      atomic.Int64
	connectErrors, disconnects, stepErrors counts
	emits, events, timeouts, ackCount      counts
}

// NewMetrics returns empty metrics.
func NewMetrics() *Metrics {
	return &Metrics{Open: NewHistogram(), Connect: NewHistogram(), Upgrade: NewHistogram(), Ack: NewHistogram(), Held: NewHistogram()}
}

// fixedHistograms are the histograms every report has, in the order the
// summary shows them; ack:EVENT and gap:EVENT follow.
var fixedHistograms = []string{"open", "connect", "upgrade", "ack", "held"}

// ack counts the ack of an emit of event: its round trip, and the time sio
// held the emit before sending it (an upgrade's switch of transports),
// apart, so that sio's own wait is never counted as the server's.
func (m *Metrics) ack(event string, rtt, held time.Duration) {
	m.Ack.Add(rtt)
	m.Held.Add(held)
	m.acks.get(event).Add(rtt)
	m.ackCount.add(event, 1)
}

func (m *Metrics) joined() {
	n := m.connected.Add(1)
	for {
		p := m.peak.Load()
		if n <= p || m.peak.CompareAndSwap(p, n) {
			return
		}
	}
}

// errors is the count every threshold on errors reads: connect errors,
// ack timeouts and failed scenario steps.
func (m *Metrics) errors() int64 {
	return m.connectErrors.total() + m.timeouts.total() + m.stepErrors.total()
}
