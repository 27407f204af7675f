// Package sioserver is the Socket.IO server behind sio serve: namespaces,
// events, acks and binary over internal/eioserver, for clients of protocol
// 4 (socket.io-client 2.x, on Engine.IO 3) and 5 (3.x and 4.x, on
// Engine.IO 4). It answers every event that asks for an ack with the
// event's own arguments, can echo or broadcast what it receives, and
// reports everything it sees as Records.
package sioserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/siocli/sio/internal/eioserver"
	"github.com/siocli/sio/pkg/codec"
	"github.com/siocli/sio/pkg/engineio/wire"
)

// Options configure a Server.
type Options struct {
	Engine eioserver.Options
	// Echo sends every event back to its sender, with the same name and
	// arguments.
	Echo bool
	// Broadcast sends every event to every other client connected to its
	// namespace.
	Broadcast bool
	// RequireAuth refuses a namespace connect whose auth payload lacks any
	// of these keys with these values. Clients of protocol 4 have no auth
	// payload: their query parameters stand for it.
	RequireAuth map[string]json.RawMessage
	// ConnectTimeout closes a client's session when no namespace connected
	// within it (socket.io's connectTimeout); 0: never.
	ConnectTimeout time.Duration
	// Observe receives a Record of everything that happens. It is called
	// from many goroutines, in order for any one client.
	Observe func(Record)
}

// Server is a Socket.IO server, an http.Handler. Its methods are safe for
// concurrent use.
type Server struct {
	opts Options
	eng  *eioserver.Server

	mu      sync.Mutex
	clients map[string]*client
}

// New returns a Server.
func New(opts Options) *Server {
	srv := &Server{opts: opts, clients: make(map[string]*client)}
	srv.eng = eioserver.New(&opts.Engine, eioserver.Handler{
		Open:    srv.open,
		Message: srv.message,
		Upgrade: srv.upgrade,
		Close:   srv.close,
	})
	return srv
}

// ServeHTTP answers the Engine.IO requests of the server's path.
func (srv *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { srv.eng.ServeHTTP(w, r) }

// Close disconnects every client.
func (srv *Server) Close() { srv.eng.Close() }

// EngineOptions returns the Engine.IO options in force, defaults filled in.
func (srv *Server) EngineOptions() eioserver.Options { return srv.eng.Options() }

func (srv *Server) observe(r Record) {
	if srv.opts.Observe != nil {
		if r.Time.IsZero() {
			r.Time = time.Now()
		}
		srv.opts.Observe(r)
	}
}

func (srv *Server) client(s *eioserver.Session) *client {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return srv.clients[s.ID()]
}

func (srv *Server) open(s *eioserver.Session) {
	c := &client{srv: srv, sess: s, since: time.Now(), sockets: make(map[string]*socket)}
	c.proto = codec.V5
	if s.Version() == wire.Version3 {
		c.proto = codec.V4
	}
	c.dec = codec.JSONParser{Version: c.proto}.NewDecoder()
	srv.mu.Lock()
	srv.clients[s.ID()] = c
	srv.mu.Unlock()
	srv.observe(Record{Type: RecordConnection, Client: s.ID(), Transport: s.Transport(), Engine: s.Version(), Remote: s.RemoteAddr()})
	if c.proto == codec.V4 {
		// Protocol 4 joins the root namespace without asking.
		c.connect(&codec.Packet{Type: codec.Connect, Namespace: codec.RootNamespace})
	}
	if d := srv.opts.ConnectTimeout; d > 0 {
		time.AfterFunc(d, func() {
			c.mu.Lock()
			none := len(c.sockets) == 0
			c.mu.Unlock()
			if none {
				s.Close()
			}
		})
	}
}

func (srv *Server) message(s *eioserver.Session, m wire.Message) {
	if c := srv.client(s); c != nil {
		c.message(m)
	}
}

func (srv *Server) upgrade(s *eioserver.Session) {
	srv.observe(Record{Type: RecordUpgrade, Client: s.ID(), From: wire.Polling, To: wire.WebSocket})
}

func (srv *Server) close(s *eioserver.Session, reason wire.CloseReason, err error) {
	srv.mu.Lock()
	c := srv.clients[s.ID()]
	delete(srv.clients, s.ID())
	srv.mu.Unlock()
	if c == nil {
		return
	}
	c.mu.Lock()
	socks := c.sortedSockets()
	c.sockets = map[string]*socket{}
	c.mu.Unlock()
	for _, so := range socks {
		srv.observe(Record{Type: RecordDisconnect, Client: s.ID(), Namespace: so.ns, SocketID: so.id, Reason: string(reason)})
	}
	srv.observe(Record{Type: RecordClose, Client: s.ID(), Reason: string(reason), Err: err})
}

// ClientInfo describes a connected client.
type ClientInfo struct {
	ID        string
	Remote    string
	Engine    wire.Version
	Transport wire.Transport
	Since     time.Time
	Sockets   []SocketInfo
}

// SocketInfo is a client's connection to a namespace.
type SocketInfo struct {
	Namespace string
	ID        string
}

// Clients lists the connected clients, oldest first.
func (srv *Server) Clients() []ClientInfo {
	srv.mu.Lock()
	cs := make([]*client, 0, len(srv.clients))
	for _, c := range srv.clients {
		cs = append(cs, c)
	}
	srv.mu.Unlock()
	out := make([]ClientInfo, 0, len(cs))
	for _, c := range cs {
		info := ClientInfo{ID: c.sess.ID(), Remote: c.sess.RemoteAddr(), Engine: c.sess.Version(), Transport: c.sess.Transport(), Since: c.since}
		c.mu.Lock()
		for _, so := range c.sortedSockets() {
			info.Sockets = append(info.Sockets, SocketInfo{Namespace: so.ns, ID: so.id})
		}
		c.mu.Unlock()
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Since.Before(out[j].Since) })
	return out
}

// ErrNoSuchClient is returned for an id that names no client or socket.
var ErrNoSuchClient = errors.New("no client or socket has that id")

// targets returns the sockets an id names: a client's socket on namespace
// ns, or the socket with that id on any namespace; every socket on ns when
// id is empty. All but a socket id's one socket are on ns.
func (srv *Server) targets(id, ns string) ([]*socket, error) {
	srv.mu.Lock()
	cs := make([]*client, 0, len(srv.clients))
	for _, c := range srv.clients {
		cs = append(cs, c)
	}
	srv.mu.Unlock()
	var out []*socket
	for _, c := range cs {
		c.mu.Lock()
		for _, so := range c.sockets {
			match := so.id == id // a socket id
			if id == "" || id == c.sess.ID() {
				match = so.ns == ns
			}
			if match {
				out = append(out, so)
			}
		}
		c.mu.Unlock()
	}
	if id != "" && len(out) == 0 {
		if srv.eng.Session(id) != nil {
			return nil, fmt.Errorf("client %s is not connected to %s", id, ns)
		}
		return nil, fmt.Errorf("%w: %s", ErrNoSuchClient, id)
	}
	return out, nil
}

// Emit sends event with args to the socket id names on namespace ns (see
// Clients), or to every socket on ns when id is empty. With ack, each
// socket is asked for an ack, whose arrival is observed as a RecordAck.
// It returns how many sockets it sent to.
func (srv *Server) Emit(id, ns, event string, args []any, ack bool) (int, error) {
	data, atts, err := codec.MarshalArgs(append([]any{event}, args...)...)
	if err != nil {
		return 0, err
	}
	socks, err := srv.targets(id, ns)
	if err != nil {
		return 0, err
	}
	n := 0
	var shared []wire.Message // the targets share a namespace: without an ack id, one encoding serves all
	for _, so := range socks {
		pk := &codec.Packet{Type: codec.Event, Namespace: so.ns, Data: data, Attachments: atts}
		msgs := shared
		if ack {
			pk.ID, pk.HasID = so.ask(event), true
			msgs = nil
		}
		if msgs == nil {
			if msgs, err = encode(pk); err != nil {
				return n, err
			}
			if !ack {
				shared = msgs
			}
		}
		if so.c.sess.Send(msgs...) == nil {
			n++
		}
	}
	return n, nil
}

// Kick disconnects the socket an id names (with a DISCONNECT packet for
// its namespace), or the whole client when id is a client's.
func (srv *Server) Kick(id string) error {
	if s := srv.eng.Session(id); s != nil {
		if c := srv.client(s); c != nil {
			c.mu.Lock()
			socks := c.sortedSockets()
			c.mu.Unlock()
			for _, so := range socks {
				so.c.disconnect(so, codec.ReasonServerNamespaceDisconnect)
			}
		}
		s.Close()
		return nil
	}
	socks, err := srv.targets(id, "")
	if err != nil {
		return err
	}
	for _, so := range socks {
		so.c.disconnect(so, codec.ReasonServerNamespaceDisconnect)
	}
	return nil
}
