package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/siocli/sio/internal/admin"
)

// adminRecord is one line of sio admin: a change the server reported, or
// one row of a list (type socket, room or server). Its JSON names are the
// NDJSON schema of sio admin.
type adminRecord struct {
	Time      *time.Time      `json:"time,omitempty"`
	Type      string          `json:"type"`
	Server    string          `json:"server,omitempty"`
	NS        string          `json:"ns,omitempty"`
	ID        string          `json:"id,omitempty"`
	Client    string          `json:"client,omitempty"`
	Transport string          `json:"transport,omitempty"`
	Remote    string          `json:"remote,omitempty"`
	Room      string          `json:"room,omitempty"`
	Reason    string          `json:"reason,omitempty"`
	Event     string          `json:"event,omitempty"`
	Args      json.RawMessage `json:"args,omitempty"`
	Data      json.RawMessage `json:"data,omitempty"`
	Error     string          `json:"error,omitempty"`

	InvalidUTF8 bool `json:"invalid_utf8,omitempty"`
}

// statsRecord is a node's stats as sio admin prints them: the counts of
// one report (the 2 s since the one before) summed by kind.
type statsRecord struct {
	Time           time.Time        `json:"time"`
	Type           string           `json:"type"` // server_stats
	Server         string           `json:"server"`
	Hostname       string           `json:"hostname"`
	PID            int              `json:"pid"`
	Uptime         float64          `json:"uptime_s"`
	Clients        int              `json:"clients"`
	PollingClients int              `json:"polling_clients"`
	Namespaces     map[string]int   `json:"namespaces"`
	Connections    int64            `json:"connections"`
	Disconnections map[string]int64 `json:"disconnections,omitempty"` // by reason
	PacketsIn      int64            `json:"packets_in"`
	PacketsOut     int64            `json:"packets_out"`
	BytesIn        int64            `json:"bytes_in"`
	BytesOut       int64            `json:"bytes_out"`
}

// Totals are a node's aggregated counts of one report, summed by kind.
type Totals struct {
	Connections, PacketsIn, PacketsOut, BytesIn, BytesOut int64
	Disconnections                                        map[string]int64
}

// SumAggregated sums a node's per-second counts by kind.
func SumAggregated(evs []admin.AggregatedEvent) Totals {
	var t Totals
	for _, e := range evs {
		switch e.Type {
		case "rawConnection":
			t.Connections += e.Count
		case "rawDisconnection":
			if t.Disconnections == nil {
				t.Disconnections = map[string]int64{}
			}
			t.Disconnections[e.SubType] += e.Count
		case "packetsIn":
			t.PacketsIn += e.Count
		case "packetsOut":
			t.PacketsOut += e.Count
		case "bytesIn":
			t.BytesIn += e.Count
		case "bytesOut":
			t.BytesOut += e.Count
		}
	}
	return t
}

// Lost sums the disconnections of every reason.
func (t Totals) Lost() int64 {
	var n int64
	for _, c := range t.Disconnections {
		n += c
	}
	return n
}

// AdminChange prints a change the admin namespace reported:
//
//	12:00:01.123 /chat   Kx3…AAAB  ● connect  polling from 127.0.0.1
//	12:00:01.130 /chat   Kx3…AAAB  received  join  "room1"
//	12:00:01.130 /chat   Kx3…AAAB  ● join  room1
//	12:00:02.000 *       vm#6337  ● stats  2 clients (0 polling), ...
func (p *Printer) AdminChange(ch admin.Change) error {
	if ch.Kind == admin.StatsReceived {
		return p.adminStats(ch.Time, ch.Stats)
	}
	t := ch.Time
	r := adminRecord{Time: &t, Type: ch.Kind.String(), NS: ch.Namespace, ID: ch.SocketID, Transport: ch.Transport, Room: ch.Room, Reason: ch.Reason, Data: ch.Data}
	if ch.Socket != nil {
		r.Client, r.Remote = ch.Socket.ClientID, ch.Socket.Handshake.Address
	}
	if ch.Packet != nil {
		name, err := ch.Packet.EventName()
		args, aerr := argsOf(ch.Packet, true)
		if err != nil || aerr != nil {
			r.Type, r.Error = "malformed", fmt.Sprintf("%s: the event is not [name, args...]", ch.Kind)
		} else {
			r.Event, r.Args = name, append([]byte{'['}, args...)
		}
	}
	if ch.Err != nil {
		r.Event, r.Error = ch.Event, ch.Err.Error()
	}
	return p.writeAdmin(&r)
}

func (p *Printer) writeAdmin(r *adminRecord) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.buf[:0]
	if p.format == JSON {
		r.InvalidUTF8 = !utf8.Valid(r.Args) || !utf8.Valid(r.Data)
		js, err := marshalJSON(r)
		if err != nil {
			return err
		}
		b = append(b, bytes.ToValidUTF8(js, []byte("\uFFFD"))...)
	} else {
		b = p.colors.appendAdmin(b, r)
	}
	p.buf = append(b, '\n')
	_, err := p.w.Write(p.buf)
	return err
}

// adminWords are the words text output gives the changes.
var adminWords = map[string]string{
	"socket_connected": "connect", "socket_disconnected": "disconnect", "socket_upgraded": "upgrade",
	"socket_updated": "update", "room_joined": "join", "room_left": "leave", "malformed": "malformed",
}

func (p palette) appendAdmin(b []byte, r *adminRecord) []byte {
	b = p.paint(b, p.dim, r.Time.Local().Format(time.TimeOnly+".000"))
	b = append(b, ' ')
	b = p.paint(b, p.ns, fmt.Sprintf("%-6s", r.NS))
	b = append(b, ' ')
	b = p.paint(b, p.dim, r.ID)
	b = append(b, "  "...)
	switch r.Type {
	case "event_received", "event_sent":
		b = p.paint(b, p.dim, strings.TrimPrefix(r.Type, "event_")+"  ")
		b = p.paint(b, p.event, r.Event)
		b = p.appendArgs(b, r.Args, false)
		return b
	}
	c := p.lifecycle
	if r.Error != "" {
		c = p.bad
	}
	b = p.paint(b, c, "● "+adminWords[r.Type])
	var detail []string
	switch r.Type {
	case "socket_connected":
		d := r.Transport
		if r.Remote != "" {
			d += " from " + r.Remote
		}
		detail = append(detail, d)
	case "socket_upgraded":
		detail = append(detail, "to "+r.Transport)
	case "room_joined", "room_left":
		detail = append(detail, r.Room)
	case "socket_disconnected":
		detail = append(detail, r.Reason)
	case "socket_updated":
		detail = append(detail, "data "+string(oneLine(slices.Clone(r.Data), 0)))
	case "malformed":
		detail = append(detail, r.Event+": "+r.Error)
	}
	for _, d := range detail {
		b = append(b, "  "...)
		b = append(b, Visible(d)...)
	}
	return b
}

// adminStats prints one node's stats report.
func (p *Printer) adminStats(at time.Time, st *admin.Stats) error {
	t := SumAggregated(st.Aggregated)
	if p.format == JSON {
		r := statsRecord{Time: at, Type: "server_stats", Server: st.ServerID, Hostname: st.Hostname, PID: st.PID, Uptime: st.Uptime,
			Clients: st.Clients, PollingClients: st.PollingClients, Namespaces: map[string]int{},
			Connections: t.Connections, Disconnections: t.Disconnections,
			PacketsIn: t.PacketsIn, PacketsOut: t.PacketsOut, BytesIn: t.BytesIn, BytesOut: t.BytesOut}
		for _, n := range st.Namespaces {
			r.Namespaces[n.Name] += n.Sockets
		}
		js, err := marshalJSON(r)
		if err != nil {
			return err
		}
		return p.writeRaw(bytes.ToValidUTF8(js, []byte("\uFFFD")))
	}
	var b []byte
	b = p.colors.paint(b, p.colors.dim, at.Local().Format(time.TimeOnly+".000"))
	b = append(b, ' ')
	b = p.colors.paint(b, p.colors.ns, fmt.Sprintf("%-6s", "*"))
	b = append(b, ' ')
	b = p.colors.paint(b, p.colors.dim, st.ServerID)
	b = append(b, "  "...)
	b = p.colors.paint(b, p.colors.lifecycle, "● stats")
	b = append(b, "  "...)
	b = append(b, Visible(StatsLine(st, t))...)
	return p.writeRaw(b)
}

// StatsLine says what one stats report holds, in a line.
func StatsLine(st *admin.Stats, t Totals) string {
	var s strings.Builder
	fmt.Fprintf(&s, "%s (%d polling)", plural(st.Clients, "client"), st.PollingClients)
	fmt.Fprintf(&s, ", +%d -%d connections", t.Connections, t.Lost())
	if len(t.Disconnections) > 0 {
		reasons := make([]string, 0, len(t.Disconnections))
		for r, n := range t.Disconnections {
			reasons = append(reasons, fmt.Sprintf("%s %d", r, n))
		}
		slices.Sort(reasons)
		fmt.Fprintf(&s, " (%s)", strings.Join(reasons, ", "))
	}
	fmt.Fprintf(&s, ", in %d packets %s, out %d packets %s", t.PacketsIn, Bytes(t.BytesIn), t.PacketsOut, Bytes(t.BytesOut))
	var ns []string
	for _, n := range st.Namespaces {
		ns = append(ns, n.Name+" "+strconv.Itoa(n.Sockets))
	}
	if len(ns) > 0 {
		fmt.Fprintf(&s, "; sockets: %s", strings.Join(ns, ", "))
	}
	return s.String()
}

func (p *Printer) writeRaw(line []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.buf = append(append(p.buf[:0], line...), '\n')
	_, err := p.w.Write(p.buf)
	return err
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// Bytes is a byte count for people: 512 B, 2.5 KiB, 3.1 MiB.
func Bytes(n int64) string {
	switch {
	case n < 1024:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1<<20:
		return strconv.FormatFloat(float64(n)/1024, 'f', 1, 64) + " KiB"
	case n < 1<<30:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	}
	return strconv.FormatFloat(float64(n)/(1<<30), 'f', 1, 64) + " GiB"
}
