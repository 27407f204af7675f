// Package admin is a client of the protocol that @socket.io/admin-ui
// speaks on a server's admin namespace: the server's own view of its
// sockets, rooms and nodes, kept up to date from the events it sends, and
// the actions it takes (emit, join, leave, disconnect).
//
// The protocol, as socket.io-admin-ui 0.5 implements it (python-socketio
// 5.9 and later, and sio serve --admin, follow it): the admin namespace's auth payload is {username, password}, answered
// with a "session" event whose id later connects may send as {sessionId};
// the server then sends "config" ({supportedFeatures}), "server_stats"
// every 2 s from every node of a cluster, and, in development mode only,
// "all_sockets" followed by socket_connected, socket_updated,
// socket_disconnected, room_joined, room_left, event_received and
// event_sent as they happen. The client emits emit(nsp, filter, event,
// args...), join(nsp, room, filter), leave(nsp, room, filter) and
// _disconnect(nsp, close, filter); none is acknowledged.
package admin

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/siocli/sio/pkg/engineio"
)

// Feature is one of the features a server lists in its config.
type Feature string

// The features of socket.io-admin-ui 0.5.
const (
	FeatureEmit       Feature = "EMIT"
	FeatureJoin       Feature = "JOIN"
	FeatureLeave      Feature = "LEAVE"
	FeatureDisconnect Feature = "DISCONNECT"
	// The M features are those of socket.io 4, whose join, leave and
	// disconnect take a room as their filter; socket.io 3's take one
	// socket's id.
	FeatureMJoin       Feature = "MJOIN"
	FeatureMLeave      Feature = "MLEAVE"
	FeatureMDisconnect Feature = "MDISCONNECT"
	// FeatureAggregatedEvents: server_stats carry per-second counts.
	FeatureAggregatedEvents Feature = "AGGREGATED_EVENTS"
	// FeatureAllEvents: development mode, with the socket list and every
	// change to it.
	FeatureAllEvents Feature = "ALL_EVENTS"
)

// Config is what the server's "config" event says.
type Config struct {
	Features []Feature `json:"supportedFeatures"`
}

// Has reports whether the server listed f.
func (c *Config) Has(f Feature) bool { return c != nil && slices.Contains(c.Features, f) }

// Development reports whether the server sends its socket list and every
// change to it (development mode) rather than only stats.
func (c *Config) Development() bool { return c.Has(FeatureAllEvents) }

// ReadOnly reports whether the server takes none of the actions.
func (c *Config) ReadOnly() bool {
	return !c.Has(FeatureEmit) && !c.Has(FeatureJoin) && !c.Has(FeatureLeave) && !c.Has(FeatureDisconnect)
}

// Stats is one server node's "server_stats".
type Stats struct {
	ServerID       string            `json:"serverId"`
	Hostname       string            `json:"hostname"`
	PID            int               `json:"pid"`
	Uptime         float64           `json:"uptime"` // seconds
	Clients        int               `json:"clientsCount"`
	PollingClients int               `json:"pollingClientsCount"`
	Aggregated     []AggregatedEvent `json:"aggregatedEvents,omitempty"`
	Namespaces     []NamespaceCount  `json:"namespaces"`
	// Received is when sio got it.
	Received time.Time `json:"-"`
}

// AggregatedEvent is a count of one kind of event in one second:
// rawConnection, rawDisconnection (SubType: the reason), packetsIn,
// packetsOut, bytesIn, bytesOut.
type AggregatedEvent struct {
	Timestamp int64  `json:"timestamp"` // Unix milliseconds, the second's start
	Type      string `json:"type"`
	SubType   string `json:"subType,omitempty"`
	Count     int64  `json:"count"`
}

// NamespaceCount is a namespace and how many sockets it has on a node.
type NamespaceCount struct {
	Name    string `json:"name"`
	Sockets int    `json:"socketsCount"`
}

// Socket is one socket as the server describes it.
type Socket struct {
	ID        string          `json:"id"`
	ClientID  string          `json:"clientId"` // the Engine.IO connection's, shortened by the server
	Transport string          `json:"transport"`
	Namespace string          `json:"nsp"`
	Data      json.RawMessage `json:"data,omitempty"`
	Handshake Handshake       `json:"handshake"`
	Rooms     []string        `json:"rooms"`
}

// Handshake is the HTTP request that opened a socket, as the server saw
// it. Headers and Query may hold credentials: see Redacted.
type Handshake struct {
	Address string                     `json:"address"`
	Headers map[string]json.RawMessage `json:"headers,omitempty"`
	Query   map[string]json.RawMessage `json:"query,omitempty"`
	Issued  int64                      `json:"issued,omitempty"` // Unix milliseconds
	Secure  bool                       `json:"secure"`
	Time    string                     `json:"time,omitempty"`
	URL     string                     `json:"url,omitempty"`
	XDomain bool                       `json:"xdomain"`
}

// Connected is when the socket connected, from the handshake, or the zero
// time when the server did not say.
func (s *Socket) Connected() time.Time {
	if s.Handshake.Issued > 0 {
		return time.UnixMilli(s.Handshake.Issued)
	}
	return time.Time{}
}

// InRoom reports whether the socket is in room.
func (s *Socket) InRoom(room string) bool { return slices.Contains(s.Rooms, room) }

// PublicRooms are the socket's rooms but the one named by its own id,
// which every socket is in.
func (s *Socket) PublicRooms() []string {
	var out []string
	for _, r := range s.Rooms {
		if r != s.ID {
			out = append(out, r)
		}
	}
	return out
}

// Limits on what a server can make sio hold: a server's lists are
// untrusted input.
const (
	MaxSockets = 200_000 // sockets tracked; more are counted, not kept
	MaxServers = 1_000   // server nodes tracked
	maxRooms   = 10_000  // rooms of one socket
	maxName    = 1 << 10 // bytes of an id, namespace, room or reason
)

// check validates a socket from the server.
func (s *Socket) check() error {
	switch {
	case s.ID == "" || len(s.ID) > maxName:
		return fmt.Errorf("a socket without a usable id (%d bytes)", len(s.ID))
	case s.Namespace == "" || len(s.Namespace) > maxName:
		return fmt.Errorf("socket %.40q has no usable namespace", s.ID)
	case len(s.Rooms) > maxRooms:
		return fmt.Errorf("socket %.40q is in %d rooms, more than %d", s.ID, len(s.Rooms), maxRooms)
	}
	for _, r := range s.Rooms {
		if len(r) > maxName {
			return fmt.Errorf("socket %.40q has a room name of %d bytes", s.ID, len(r))
		}
	}
	return nil
}

// Redacted returns the socket with the values of its handshake's
// credential headers (Cookie, Authorization, X-Api-Key...) and
// credential-named query parameters (token, sig...) replaced, as sio's
// traces do; extra names more.
func (s Socket) Redacted(extra ...string) Socket {
	redact := func(m map[string]json.RawMessage) map[string]json.RawMessage {
		var out map[string]json.RawMessage
		for k := range m {
			if engineio.IsSecretName(k, extra...) {
				if out == nil {
					out = maps.Clone(m)
				}
				out[k] = redactedJSON
			}
		}
		if out == nil {
			return m
		}
		return out
	}
	s.Handshake.Headers = redact(s.Handshake.Headers)
	s.Handshake.Query = redact(s.Handshake.Query)
	s.Handshake.URL = engineio.RedactURL(s.Handshake.URL, extra...)
	return s
}

var redactedJSON = json.RawMessage(`"` + engineio.Redacted + `"`)
