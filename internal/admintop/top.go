// Package admintop is the screen of sio admin top: per server node, its
// clients and polling share, connections, disconnections, packets and
// bytes per second with a short history; the namespaces with their socket
// counts; the busiest rooms. It keeps the figures from the stats the nodes
// send and renders them as lines, leaving the terminal to the caller.
package admintop

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/siocli/sio/internal/admin"
	"github.com/siocli/sio/internal/output"
)

// History is how many reports of each node the sparklines show.
const History = 30

// Rates are a node's counts per second over one report.
type Rates struct {
	Connections, Disconnections float64
	PacketsIn, PacketsOut       float64
	BytesIn, BytesOut           float64
}

// node is what the screen knows of one server node.
type node struct {
	stats   admin.Stats
	rates   Rates
	history []Rates // oldest first, at most History
}

// Sort is the order of the servers and rooms.
type Sort int

// The orders 's' cycles through.
const (
	ByClients Sort = iota // servers by clients, rooms by sockets
	ByTraffic             // servers by bytes in and out; rooms by sockets
	ByName
	sorts
)

func (s Sort) String() string {
	return [...]string{"clients", "traffic", "name"}[s]
}

// Model holds the figures; its methods are safe for concurrent use.
type Model struct {
	mu    sync.Mutex
	nodes map[string]*node
	sort  Sort
}

// New returns an empty Model.
func New() *Model { return &Model{nodes: map[string]*node{}} }

// Stats takes a node's report.
func (m *Model) Stats(st admin.Stats) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.nodes[st.ServerID]
	if n == nil {
		if len(m.nodes) >= admin.MaxServers {
			return
		}
		n = &node{}
		m.nodes[st.ServerID] = n
	}
	span := admin.StatsInterval.Seconds()
	if !n.stats.Received.IsZero() {
		if d := st.Received.Sub(n.stats.Received).Seconds(); d > 0.5 && d < 60 {
			span = d
		}
	}
	t := output.SumAggregated(st.Aggregated)
	n.rates = Rates{
		Connections: float64(t.Connections) / span, Disconnections: float64(t.Lost()) / span,
		PacketsIn: float64(t.PacketsIn) / span, PacketsOut: float64(t.PacketsOut) / span,
		BytesIn: float64(t.BytesIn) / span, BytesOut: float64(t.BytesOut) / span,
	}
	n.history = append(n.history, n.rates)
	if len(n.history) > History {
		n.history = n.history[len(n.history)-History:]
	}
	n.stats = st
}

// CycleSort moves to the next order and returns it.
func (m *Model) CycleSort() Sort {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sort = (m.sort + 1) % sorts
	return m.sort
}

// Frame is what one screen shows besides the model's figures.
type Frame struct {
	Title  string
	Now    time.Time
	Width  int
	Height int
	// Sockets are the server's sockets, when it lists them (development
	// mode); nil otherwise.
	Sockets []admin.Socket
	Listed  bool
	Paused  bool
}

// Render returns the screen's lines, each at most f.Width cells wide, at
// most f.Height of them.
func (m *Model) Render(f Frame) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var lines []string
	add := func(format string, a ...any) { lines = append(lines, fmt.Sprintf(format, a...)) }
	mode := "production mode: stats only"
	if f.Listed {
		mode = "development mode"
	}
	state := ""
	if f.Paused {
		state = "  PAUSED"
	}
	add("%s  %s  %s%s", f.Title, mode, f.Now.Local().Format(time.TimeOnly), state)
	add("keys: q quit  s sort (by %s)  p pause", m.sort)
	add("")

	nodes := m.sortedNodes()
	add("%-20s %7s %7s %7s %7s %9s %9s %10s %10s %8s", "SERVER", "CLIENTS", "POLLING", "CONN/s", "DISC/s", "PKT IN/s", "PKT OUT/s", "IN/s", "OUT/s", "UPTIME")
	var total Rates
	clients, polling := 0, 0
	for _, n := range nodes {
		r := n.rates
		total.Connections += r.Connections
		total.Disconnections += r.Disconnections
		total.PacketsIn += r.PacketsIn
		total.PacketsOut += r.PacketsOut
		total.BytesIn += r.BytesIn
		total.BytesOut += r.BytesOut
		clients += n.stats.Clients
		polling += n.stats.PollingClients
		stale := ""
		if f.Now.Sub(n.stats.Received) > 5*admin.StatsInterval {
			stale = "  (silent " + output.Age(f.Now.Sub(n.stats.Received)) + ")"
		}
		add("%-20s %7d %7s %7.1f %7.1f %9.1f %9.1f %10s %10s %8s%s", clip(output.Visible(n.stats.ServerID), 20), n.stats.Clients, share(n.stats.PollingClients, n.stats.Clients),
			r.Connections, r.Disconnections, r.PacketsIn, r.PacketsOut, rate(r.BytesIn), rate(r.BytesOut),
			output.Age(time.Duration(n.stats.Uptime*float64(time.Second))), stale)
	}
	if len(nodes) == 0 {
		add("(no node has sent its stats yet: they come every %v)", admin.StatsInterval)
	} else if len(nodes) > 1 {
		add("%-20s %7d %7s %7.1f %7.1f %9.1f %9.1f %10s %10s", "total", clients, share(polling, clients),
			total.Connections, total.Disconnections, total.PacketsIn, total.PacketsOut, rate(total.BytesIn), rate(total.BytesOut))
	}
	add("")
	in, out := m.historyLocked()
	add("bytes in  /s  %s  %s", sparkline(in), rate(last(in)))
	add("bytes out /s  %s  %s", sparkline(out), rate(last(out)))
	add("")

	// Namespaces, summed over the nodes.
	counts := map[string]int{}
	for _, n := range nodes {
		for _, ns := range n.stats.Namespaces {
			counts[ns.Name] += ns.Sockets
		}
	}
	names := make([]string, 0, len(counts))
	for k := range counts {
		names = append(names, k)
	}
	slices.Sort(names)
	add("%-30s %8s", "NAMESPACE", "SOCKETS")
	for _, k := range names {
		add("%-30s %8d", clip(output.Visible(k), 30), counts[k])
	}
	add("")

	if !f.Listed {
		add("rooms: not reported (the server is in production mode)")
	} else {
		rooms := admin.Rooms(f.Sockets)
		if m.sort == ByName {
			// already by namespace and name
		} else {
			slices.SortStableFunc(rooms, func(a, b admin.Room) int { return len(b.Sockets) - len(a.Sockets) })
		}
		add("%-30s %-16s %8s", "ROOM", "NAMESPACE", "SOCKETS")
		if len(rooms) == 0 {
			add("(no socket is in a room of its own choosing)")
		}
		room := len(lines)
		for _, r := range rooms {
			if f.Height > 0 && len(lines) >= f.Height-1 && len(lines) > room {
				add("… %d more rooms", len(rooms)-(len(lines)-room))
				break
			}
			add("%-30s %-16s %8d", clip(output.Visible(r.Name), 30), clip(output.Visible(r.Namespace), 16), len(r.Sockets))
		}
	}
	if f.Height > 0 && len(lines) > f.Height {
		lines = lines[:f.Height]
	}
	if f.Width > 0 {
		for i, l := range lines {
			lines[i] = clip(l, f.Width)
		}
	}
	return lines
}

// Lines are the plain lines, one a node, that top prints each interval when
// not on a terminal.
func (m *Model) Lines(now time.Time) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, n := range m.sortedNodes() {
		r := n.rates
		out = append(out, fmt.Sprintf("%s %s clients %d polling %d conn/s %.1f disc/s %.1f packets/s in %.1f out %.1f bytes/s in %s out %s",
			now.Local().Format(time.TimeOnly), output.Visible(n.stats.ServerID), n.stats.Clients, n.stats.PollingClients,
			r.Connections, r.Disconnections, r.PacketsIn, r.PacketsOut, rate(r.BytesIn), rate(r.BytesOut)))
	}
	return out
}

// NodeRates returns each node's latest stats and rates, in the model's
// order.
func (m *Model) NodeRates() ([]admin.Stats, []Rates) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var st []admin.Stats
	var rs []Rates
	for _, n := range m.sortedNodes() {
		st = append(st, n.stats)
		rs = append(rs, n.rates)
	}
	return st, rs
}

// sortedNodes returns the nodes in the model's order; m.mu is held.
func (m *Model) sortedNodes() []*node {
	nodes := make([]*node, 0, len(m.nodes))
	for _, n := range m.nodes {
		nodes = append(nodes, n)
	}
	slices.SortFunc(nodes, func(a, b *node) int {
		switch m.sort {
		case ByClients:
			if d := b.stats.Clients - a.stats.Clients; d != 0 {
				return d
			}
		case ByTraffic:
			ta, tb := a.rates.BytesIn+a.rates.BytesOut, b.rates.BytesIn+b.rates.BytesOut
			if ta != tb {
				if tb > ta {
					return 1
				}
				return -1
			}
		}
		return strings.Compare(a.stats.ServerID, b.stats.ServerID)
	})
	return nodes
}

// historyLocked sums the nodes' byte rates report by report, newest last.
func (m *Model) historyLocked() (in, out []float64) {
	in, out = make([]float64, History), make([]float64, History)
	for _, n := range m.nodes {
		off := History - len(n.history)
		for i, r := range n.history {
			in[off+i] += r.BytesIn
			out[off+i] += r.BytesOut
		}
	}
	return in, out
}

var blocks = []rune("▁▂▃▄▅▆▇█")

// sparkline draws values as a line of block characters, scaled to the
// largest.
func sparkline(vs []float64) string {
	peak := 0.0
	for _, v := range vs {
		peak = max(peak, v)
	}
	var b strings.Builder
	for _, v := range vs {
		if peak == 0 {
			b.WriteRune(blocks[0])
			continue
		}
		b.WriteRune(blocks[int(v/peak*float64(len(blocks)-1)+0.5)])
	}
	return b.String()
}

func last(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	return vs[len(vs)-1]
}

func rate(bps float64) string { return output.Bytes(int64(bps + 0.5)) }

func share(part, whole int) string {
	if whole == 0 {
		return "-"
	}
	return fmt.Sprintf("%d%%", part*100/whole)
}

// clip cuts s to at most n runes, marking the cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n <= 1 {
		return string(r[:n])
	}
	return string(r[:n-1]) + "…"
}
