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
	// Msgpack speaks socket.io-msgpack-parser's wire format instead of
	// the default JSON one, to every client.
	Msgpack bool
	// Rooms lets clients join and leave rooms by emitting "join" and
	// "leave" with the room's name (the ack still echoes the arguments).
	Rooms bool
	// Namespaces, when not empty, are the only namespaces clients may
	// join (the admin one aside): a connect to another is refused with
	// "Invalid namespace", as socket.io refuses a namespace it does not
	// have. Empty: every namespace.
	Namespaces []string
	// Conformance makes the server the one the socket.io-protocol test
	// suite is written for: on joining a namespace each socket is sent
	// "auth" with its connect's auth payload ({} when none), and "message"
	// is answered with "message-back" and the same arguments.
	Conformance bool
	// Admin, when set, serves the admin UI's protocol on a namespace of
	// its own (see AdminOptions).
	Admin *AdminOptions
	// Observe receives a Record of everything that happens. It is called
	// from many goroutines, in order for any one client.
	Observe func(Record)
}

// Server is a Socket.IO server, an http.Handler. Its methods are safe for
// concurrent use.
type Server struct {
	opts Options
	eng  *eioserver.Server

	adm *admin // nil without Options.Admin

	mu      sync.Mutex
	clients map[string]*client
}

// New returns a Server.
func New(opts Options) *Server {
	srv := &Server{opts: opts, clients: make(map[string]*client)}
	if opts.Admin != nil {
		srv.adm = newAdmin(srv, *opts.Admin)
	}
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
func (srv *Server) Close() {
	srv.adm.stop()
	srv.eng.Close()
}

// parser is the wire format for a client of protocol v.
func (srv *Server) parser(v codec.Version) codec.Parser {
	if srv.opts.Msgpack {
		return codec.MsgpackParser{Version: v}
	}
	return codec.JSONParser{Version: v}
}

// encode returns the messages that carry pk.
func (srv *Server) encode(pk *codec.Packet) ([]wire.Message, error) {
	msgs, err := srv.parser(codec.V5).Encode(pk)
	if err != nil {
		return nil, err
	}
	out := make([]wire.Message, len(msgs))
	for i, m := range msgs {
		out[i] = wire.Message{Data: m.Data, Binary: m.Binary}
	}
	return out, nil
}

// EngineOptions returns the Engine.IO options in force, defaults filled in.
func (srv *Server) EngineOptions() eioserver.Options { return srv.eng.Options() }

func (srv *Server) observe(r Record) { srv.opts.observe(r) }

// observe hands r, stamped with the time if it has none, to Observe.
func (o *Options) observe(r Record) {
	if o.Observe != nil {
		if r.Time.IsZero() {
			r.Time = time.Now()
		}
		o.Observe(r)
	}
}

// has says whether the server has namespace ns (Options.Namespaces).
func (srv *Server) has(ns string) bool {
	if len(srv.opts.Namespaces) == 0 || srv.adm.owns(ns) {
		return true
	}
	for _, n := range srv.opts.Namespaces {
		if n == ns {
			return true
		}
	}
	return false
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
	c.dec = srv.parser(c.proto).NewDecoder()
	srv.mu.Lock()
	srv.clients[s.ID()] = c
	srv.mu.Unlock()
	srv.observe(Record{Type: RecordConnection, Client: s.ID(), Transport: s.Transport(), Engine: s.Version(), Remote: s.RemoteAddr()})
	srv.adm.count("rawConnection", "", 1)
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
	srv.adm.message(true, len(m.Data))
	if c := srv.client(s); c != nil {
		c.message(m)
	}
}

func (srv *Server) upgrade(s *eioserver.Session) {
	srv.observe(Record{Type: RecordUpgrade, Client: s.ID(), From: wire.Polling, To: wire.WebSocket})
	if c := srv.client(s); c != nil {
		srv.adm.upgraded(c)
	}
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
		srv.adm.left(so, string(reason))
	}
	srv.observe(Record{Type: RecordClose, Client: s.ID(), Reason: string(reason), Err: err})
	srv.adm.count("rawDisconnection", string(reason), 1)
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

// ErrNoSuchClient is returned for an id that names no client, socket or
// room.
var ErrNoSuchClient = errors.New("no client, socket or room has that name")

// targets returns the sockets an id names: a client's socket on namespace
// ns, or the socket with that id on any namespace, or else the sockets on
// ns in the room of that name; every socket on ns when id is empty. All but
// a socket id's one socket are on ns.
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
		if out = srv.inRoom(ns, id); len(out) > 0 {
			return out, nil
		}
		return nil, fmt.Errorf("%w: %s", ErrNoSuchClient, id)
	}
	return out, nil
}

// allClients returns the connected clients.
func (srv *Server) allClients() []*client {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	cs := make([]*client, 0, len(srv.clients))
	for _, c := range srv.clients {
		cs = append(cs, c)
	}
	return cs
}

// join puts a socket in a room, and tells the admin namespace.
func (srv *Server) join(so *socket, room string) {
	if so.join(room) {
		srv.observe(Record{Type: RecordJoin, Client: so.c.sess.ID(), Namespace: so.ns, SocketID: so.id, Room: room})
		srv.adm.roomChanged("room_joined", so, room)
	}
}

// leave takes a socket out of a room, and tells the admin namespace.
func (srv *Server) leave(so *socket, room string) {
	if so.leave(room) {
		srv.observe(Record{Type: RecordLeave, Client: so.c.sess.ID(), Namespace: so.ns, SocketID: so.id, Room: room})
		srv.adm.roomChanged("room_left", so, room)
	}
}

// inRoom returns the sockets on ns in room, every socket on ns when room
// is empty.
func (srv *Server) inRoom(ns, room string) []*socket {
	var out []*socket
	for _, c := range srv.allClients() {
		c.mu.Lock()
		so := c.sockets[ns]
		c.mu.Unlock()
		if so != nil && (room == "" || so.in(room)) {
			out = append(out, so)
		}
	}
	return out
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
			if msgs, err = srv.encode(pk); err != nil {
				return n, err
			}
			if !ack {
				shared = msgs
			}
		}
		if so.c.sendMsgs(msgs...) == nil {
			n++
			srv.adm.sent(so, pk)
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
