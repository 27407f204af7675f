package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/siocli/sio/internal/admin"
)

// socketRow is a socket as sio admin sockets prints it in JSON.
type socketRow struct {
	Type      string          `json:"type"` // socket
	NS        string          `json:"ns"`
	ID        string          `json:"id"`
	Client    string          `json:"client,omitempty"`
	Transport string          `json:"transport,omitempty"`
	Remote    string          `json:"remote,omitempty"`
	Rooms     []string        `json:"rooms"`
	Connected *time.Time      `json:"connected,omitempty"`
	Data      json.RawMessage `json:"data,omitempty"`
	Handshake admin.Handshake `json:"handshake"`
	Self      bool            `json:"self,omitempty"` // the socket sio admin itself is
}

// AdminSockets prints sockets: a table in text, a {"type":"socket"} line
// each in JSON. self is sio's own socket's id, marked; the sockets are
// printed as given (redact them first).
func (p *Printer) AdminSockets(socks []admin.Socket, self string, now time.Time) error {
	if p.format == JSON {
		for _, s := range socks {
			r := socketRow{Type: "socket", NS: s.Namespace, ID: s.ID, Client: s.ClientID, Transport: s.Transport,
				Remote: s.Handshake.Address, Rooms: s.PublicRooms(), Data: s.Data, Handshake: s.Handshake, Self: s.ID == self}
			if r.Rooms == nil {
				r.Rooms = []string{}
			}
			if t := s.Connected(); !t.IsZero() {
				r.Connected = &t
			}
			if err := p.writeJSONRow(r); err != nil {
				return err
			}
		}
		return nil
	}
	return p.table(func(tw *tabwriter.Writer) {
		fmt.Fprintln(tw, "NAMESPACE\tID\tCLIENT\tTRANSPORT\tADDRESS\tAGE\tROOMS")
		for _, s := range socks {
			rooms := strings.Join(visibleAll(s.PublicRooms()), ", ")
			if s.ID == self {
				rooms = strings.TrimPrefix(rooms+", (this sio admin)", ", ")
			}
			age := "-"
			if t := s.Connected(); !t.IsZero() {
				age = Age(now.Sub(t))
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", Visible(s.Namespace), Visible(s.ID), Visible(s.ClientID),
				Visible(s.Transport), Visible(s.Handshake.Address), age, rooms)
		}
	})
}

// AdminRooms prints rooms: a table in text, a {"type":"room"} line each in
// JSON.
func (p *Printer) AdminRooms(rooms []admin.Room) error {
	if p.format == JSON {
		for _, r := range rooms {
			row := struct {
				Type string `json:"type"`
				admin.Room
			}{"room", r}
			if err := p.writeJSONRow(row); err != nil {
				return err
			}
		}
		return nil
	}
	return p.table(func(tw *tabwriter.Writer) {
		fmt.Fprintln(tw, "NAMESPACE\tROOM\tSOCKETS\tMEMBERS")
		for _, r := range rooms {
			members := visibleAll(r.Sockets)
			if len(members) > 3 {
				members = append(members[:3], "+"+strconv.Itoa(len(r.Sockets)-3))
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", Visible(r.Namespace), Visible(r.Name), len(r.Sockets), strings.Join(members, " "))
		}
	})
}

// serverRow is a node as sio admin servers prints it in JSON.
type serverRow struct {
	Type           string         `json:"type"` // server
	Server         string         `json:"server"`
	Hostname       string         `json:"hostname"`
	PID            int            `json:"pid"`
	Uptime         float64        `json:"uptime_s"`
	Clients        int            `json:"clients"`
	PollingClients int            `json:"polling_clients"`
	Namespaces     map[string]int `json:"namespaces"`
	LastSeen       time.Time      `json:"last_seen"`
}

// AdminServers prints server nodes' latest stats: a table in text, a
// {"type":"server"} line each in JSON.
func (p *Printer) AdminServers(servers []admin.Stats, now time.Time) error {
	if p.format == JSON {
		for _, s := range servers {
			r := serverRow{Type: "server", Server: s.ServerID, Hostname: s.Hostname, PID: s.PID, Uptime: s.Uptime,
				Clients: s.Clients, PollingClients: s.PollingClients, Namespaces: map[string]int{}, LastSeen: s.Received}
			for _, n := range s.Namespaces {
				r.Namespaces[n.Name] += n.Sockets
			}
			if err := p.writeJSONRow(r); err != nil {
				return err
			}
		}
		return nil
	}
	return p.table(func(tw *tabwriter.Writer) {
		fmt.Fprintln(tw, "SERVER\tHOSTNAME\tPID\tUPTIME\tCLIENTS\tPOLLING\tSEEN\tSOCKETS")
		for _, s := range servers {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%d\t%d\t%s ago\t%s\n", Visible(s.ServerID), Visible(s.Hostname), s.PID,
				Age(time.Duration(s.Uptime*float64(time.Second))), s.Clients, s.PollingClients, Age(now.Sub(s.Received)), NamespaceCounts(s.Namespaces))
		}
	})
}

// AdminResult prints what the server reported of an action, notes about
// it to notes, and after, the namespace's sockets once it was done
// (redact them first).
func (p *Printer) AdminResult(notes io.Writer, a admin.Action, r *admin.Result, after []admin.Socket, self string) error {
	if r.Unconfirmed {
		fmt.Fprintf(notes, "sio: sent; the server runs the admin UI in production mode, so it reports no change to confirm the %s by\n", a.Kind)
		return nil
	}
	for _, ch := range r.Changes {
		if err := p.AdminChange(ch); err != nil {
			return err
		}
	}
	if len(r.Changes) < r.Expected {
		fmt.Fprintf(notes, "sio: the server reported %d of the %d changes the %s should make\n", len(r.Changes), r.Expected, a.Kind)
	}
	if a.Kind == "emit" && len(r.Changes) == 0 {
		fmt.Fprintf(notes, "sio: sent to %d sockets by the socket list (servers before socket.io 4.5 report no event sent)\n", len(r.Matched))
	}
	if p.format == Text {
		p.Blank()
	}
	return p.AdminSockets(after, self, time.Now())
}

// NamespaceCounts lists namespaces with their socket counts: "/ 3, /chat 1".
func NamespaceCounts(ns []admin.NamespaceCount) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = Visible(n.Name) + " " + strconv.Itoa(n.Sockets)
	}
	return strings.Join(parts, ", ")
}

// Age is a duration as a short age: 850ms, 12s, 3m12s, 2h05m, 3d04h.
func Age(d time.Duration) string {
	switch {
	case d < 0:
		return "0s"
	case d < time.Second:
		return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + "s"
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%dd%02dh", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
}

func visibleAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = Visible(s)
	}
	return out
}

// marshalJSON is json.Marshal without HTML escaping: the lines are for
// programs and people, not for a web page.
func marshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func (p *Printer) writeJSONRow(v any) error {
	js, err := marshalJSON(v)
	if err != nil {
		return err
	}
	return p.writeRaw(bytes.ToValidUTF8(js, []byte("\uFFFD")))
}

// Format is how the Printer prints.
func (p *Printer) Format() Format { return p.format }

// Blank prints an empty line (between a text report's parts).
func (p *Printer) Blank() error { return p.writeRaw(nil) }

// table writes rows through a tabwriter, aligned on the cells' text
// (uncoloured: colour codes would count as width).
func (p *Printer) table(rows func(*tabwriter.Writer)) error {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	rows(tw)
	if err := tw.Flush(); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	_, err := p.w.Write(buf.Bytes())
	return err
}
