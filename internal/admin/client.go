package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/siocli/sio/pkg/codec"
	"github.com/siocli/sio/pkg/sioclient"
)

// DefaultNamespace is where @socket.io/admin-ui instruments a server
// unless told otherwise.
const DefaultNamespace = "/admin"

// StatsInterval is how often each server node sends its stats.
const StatsInterval = 2 * time.Second

// StatsWait is how long to wait for every node's stats to have come once,
// and for an action's changes.
const StatsWait = StatsInterval + 500*time.Millisecond

// ReadyTimeout is how long Connect waits, once the namespace connected, for
// the server to send its config (and, in development mode, its sockets),
// which it sends at once.
const ReadyTimeout = 5 * time.Second

// Options configure a Client.
type Options struct {
	// Username and Password are the admin namespace's credentials; with
	// no Username the socket's own auth payload, if any, is sent.
	Username, Password string
	// OnChange, when set, is told of every change the server reports, in
	// order, on the Manager's dispatcher goroutine: it must not block.
	OnChange func(Change)
}

// Client keeps the server's view up to date from the admin namespace and
// takes actions on it. Its methods are safe for concurrent use.
type Client struct {
	sock *sioclient.Socket
	opts Options

	mu        sync.Mutex
	config    *Config
	session   string
	servers   map[string]*Stats
	sockets   map[socketKey]*Socket
	observers []*func(Change)
	untracked int  // sockets the server listed beyond MaxSockets
	listed    bool // all_sockets came since the last connect
	ready     chan struct{}
	readyDone bool
}

type socketKey struct{ nsp, id string }

// Open returns a Client on the admin namespace nsp of m, with so for the
// socket's options (the credentials in opts are added to them). Connect
// connects it.
func Open(m *sioclient.Manager, nsp string, so sioclient.SocketOptions, opts Options) *Client {
	c := newClient(opts)
	if opts.Username != "" || so.Auth == nil && so.AuthFunc == nil {
		so.Auth, so.AuthFunc = nil, c.auth
	}
	c.sock = m.Socket(nsp, &so)
	c.sock.OnAny(c.onEvent)
	return c
}

func newClient(opts Options) *Client {
	return &Client{
		opts:    opts,
		servers: map[string]*Stats{},
		sockets: map[socketKey]*Socket{},
		ready:   make(chan struct{}),
	}
}

// Socket returns the admin namespace's socket.
func (c *Client) Socket() *sioclient.Socket { return c.sock }

// auth is the auth payload of every connect: the credentials, with the
// session id of an earlier connect of this run, which the server takes
// instead of checking the password again while it remembers it.
func (c *Client) auth(context.Context) (json.RawMessage, error) {
	c.mu.Lock()
	sid, user, pw := c.session, c.opts.Username, c.opts.Password
	c.mu.Unlock()
	if user == "" {
		return nil, nil // a server with auth: false
	}
	a := map[string]string{"username": user, "password": pw}
	if sid != "" {
		a["sessionId"] = sid
	}
	return json.Marshal(a)
}

// SetCredentials changes the credentials of the next connects (of a
// Client opened without an auth payload of its own).
func (c *Client) SetCredentials(user, password string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if user != c.opts.Username {
		c.session = ""
	}
	c.opts.Username, c.opts.Password = user, password
}

// Connect connects the admin namespace and waits until the server has
// said what it offers (config) and, in development mode, listed its
// sockets: until the view is whole.
func (c *Client) Connect(ctx context.Context) error {
	if !c.sock.Connected() {
		c.mu.Lock()
		if c.readyDone {
			c.ready, c.readyDone = make(chan struct{}), false
		}
		c.mu.Unlock()
	}
	if err := c.sock.Connect(ctx); err != nil {
		var ce *sioclient.ConnectError
		if errors.As(err, &ce) {
			switch ce.Message { // what @socket.io/admin-ui and socket.io answer
			case "invalid credentials":
				return fmt.Errorf("%w: %w", ErrCredentials, err)
			case "Invalid namespace":
				return fmt.Errorf("%w: %w", ErrNoNamespace, err)
			}
		}
		return err
	}
	c.mu.Lock()
	ready := c.ready
	c.mu.Unlock()
	wait := time.NewTimer(ReadyTimeout)
	defer wait.Stop()
	var err error
	select {
	case <-ready:
		return nil
	case <-wait.C:
		err = fmt.Errorf("waited %v", ReadyTimeout)
	case <-ctx.Done():
		err = ctx.Err()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.config == nil {
		return fmt.Errorf("the admin namespace %s connected but sent no config: is the server instrumented with @socket.io/admin-ui there? (%w)", c.sock.Namespace(), err)
	}
	return fmt.Errorf("the server is in development mode but did not list its sockets (%w)", err)
}

// The refusals of the admin namespace that Connect names, wrapping the
// server's *sioclient.ConnectError.
var (
	// ErrCredentials: the server refused the credentials.
	ErrCredentials = errors.New("the admin namespace refused the credentials")
	// ErrNoNamespace: the server has no such namespace: not instrumented,
	// or on another one.
	ErrNoNamespace = errors.New("the server has no such namespace")
)

// Config returns what the server offers, nil before it said.
func (c *Client) Config() *Config {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.config
}

// Listed reports whether the server listed its sockets (development
// mode).
func (c *Client) Listed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.listed
}

// Untracked is how many sockets the server listed beyond MaxSockets.
func (c *Client) Untracked() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.untracked
}

// Sockets returns the sockets the server has, by namespace and id.
func (c *Client) Sockets() []Socket {
	c.mu.Lock()
	out := make([]Socket, 0, len(c.sockets))
	for _, s := range c.sockets {
		cp := *s
		cp.Rooms = slices.Clone(s.Rooms)
		out = append(out, cp)
	}
	c.mu.Unlock()
	slices.SortFunc(out, func(a, b Socket) int {
		if n := strings.Compare(a.Namespace, b.Namespace); n != 0 {
			return n
		}
		if n := a.Connected().Compare(b.Connected()); n != 0 {
			return n
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// Shown returns the sockets f keeps as sio prints them: their secrets
// redacted unless show, with extra names redacted too (--redact).
func (c *Client) Shown(f Filter, show bool, extra ...string) []Socket {
	var out []Socket
	for _, s := range c.Sockets() {
		if !f.Keeps(&s) {
			continue
		}
		if !show {
			s = s.Redacted(extra...)
		}
		out = append(out, s)
	}
	return out
}

// Servers returns the latest stats of each server node heard from, by id.
func (c *Client) Servers() []Stats {
	c.mu.Lock()
	out := make([]Stats, 0, len(c.servers))
	for _, s := range c.servers {
		out = append(out, *s)
	}
	c.mu.Unlock()
	slices.SortFunc(out, func(a, b Stats) int { return strings.Compare(a.ServerID, b.ServerID) })
	return out
}

// Room is a room of a namespace and the sockets in it.
type Room struct {
	Namespace string   `json:"ns"`
	Name      string   `json:"room"`
	Sockets   []string `json:"sockets"`
}

// Rooms returns the rooms of the listed sockets, by namespace and name,
// without the room each socket has of its own id.
func Rooms(sockets []Socket) []Room {
	idx := map[socketKey]*Room{}
	var out []*Room
	for _, s := range sockets {
		for _, r := range s.PublicRooms() {
			k := socketKey{s.Namespace, r}
			room := idx[k]
			if room == nil {
				room = &Room{Namespace: s.Namespace, Name: r}
				idx[k] = room
				out = append(out, room)
			}
			room.Sockets = append(room.Sockets, s.ID)
		}
	}
	slices.SortFunc(out, func(a, b *Room) int {
		if n := strings.Compare(a.Namespace, b.Namespace); n != 0 {
			return n
		}
		return strings.Compare(a.Name, b.Name)
	})
	rooms := make([]Room, len(out))
	for i, r := range out {
		rooms[i] = *r
	}
	return rooms
}

// ChangeKind says what a Change is.
type ChangeKind int

// The changes a server reports.
const (
	SocketConnected ChangeKind = iota + 1
	SocketDisconnected
	SocketUpgraded // Transport is the new one
	SocketUpdated  // Data is the socket's new data
	RoomJoined
	RoomLeft
	EventReceived // by the server, from the socket
	EventSent     // by the server, to the socket
	StatsReceived
	Malformed // Err says what was wrong with a message of the server
)

var changeNames = [...]string{
	SocketConnected: "socket_connected", SocketDisconnected: "socket_disconnected", SocketUpgraded: "socket_upgraded",
	SocketUpdated: "socket_updated", RoomJoined: "room_joined", RoomLeft: "room_left", EventReceived: "event_received",
	EventSent: "event_sent", StatsReceived: "server_stats", Malformed: "malformed",
}

// String is the kind's name in sio admin's JSON output: the protocol's
// event names, socket_updated split into socket_upgraded (the transport)
// and socket_updated (the data).
func (k ChangeKind) String() string {
	if k > 0 && int(k) < len(changeNames) {
		return changeNames[k]
	}
	return fmt.Sprintf("ChangeKind(%d)", int(k))
}

// Change is one thing the server reported.
type Change struct {
	Kind ChangeKind
	// Time is the server's, when it gave one; else when sio heard it.
	Time      time.Time
	Namespace string
	SocketID  string
	Room      string
	Reason    string
	Transport string
	// Socket is the socket that connected.
	Socket *Socket
	// Data is an updated socket's data.
	Data json.RawMessage
	// Packet holds an event in or out: its Data the JSON array of the
	// name and arguments, its Attachments the binary ones.
	Packet *codec.Packet
	Stats  *Stats
	// Event is the server's event that was malformed, Err why.
	Event string
	Err   error
}

// onEvent updates the view from one of the server's events.
func (c *Client) onEvent(e *sioclient.Event) {
	args := e.Args()
	var ch []Change
	err := c.apply(e, args, &ch)
	if err != nil {
		ch = append(ch, Change{Kind: Malformed, Time: e.Time, Event: e.Name, Err: err})
	}
	c.mu.Lock()
	obs := slices.Clone(c.observers)
	c.mu.Unlock()
	for _, x := range ch {
		if c.opts.OnChange != nil {
			c.opts.OnChange(x)
		}
		for _, f := range obs {
			(*f)(x)
		}
	}
}

// Observe calls f with every change, as OnChange does, until remove is
// called.
func (c *Client) Observe(f func(Change)) (remove func()) {
	p := &f
	c.mu.Lock()
	c.observers = append(c.observers, p)
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		c.observers = slices.DeleteFunc(c.observers, func(x *func(Change)) bool { return x == p })
		c.mu.Unlock()
	}
}

// markReady says the view is whole; c.mu is held.
func (c *Client) markReadyLocked() {
	if !c.readyDone {
		c.readyDone = true
		close(c.ready)
	}
}

func (c *Client) apply(e *sioclient.Event, args []json.RawMessage, out *[]Change) error {
	arg := func(i int, v any) error {
		if i >= len(args) {
			return fmt.Errorf("argument %d is missing", i+1)
		}
		if err := json.Unmarshal(args[i], v); err != nil {
			return fmt.Errorf("argument %d: %v", i+1, err)
		}
		return nil
	}
	when := func(i int) time.Time {
		var s string
		if i < len(args) && json.Unmarshal(args[i], &s) == nil {
			if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
				return t
			}
		}
		return e.Time
	}
	names := func(n int) ([]string, error) {
		v := make([]string, n)
		for i := range v {
			if err := arg(i, &v[i]); err != nil {
				return nil, err
			}
			if len(v[i]) > maxName {
				return nil, fmt.Errorf("argument %d is %d bytes long", i+1, len(v[i]))
			}
		}
		return v, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch e.Name {
	case "session":
		var sid string
		if err := arg(0, &sid); err != nil {
			return err
		}
		if len(sid) > maxName {
			return fmt.Errorf("a session id of %d bytes", len(sid))
		}
		c.session = sid
	case "config":
		var cfg Config
		if err := arg(0, &cfg); err != nil {
			return err
		}
		c.config = &cfg
		c.listed = false
		if !cfg.Development() {
			c.markReadyLocked()
		}
	case "server_stats":
		var st Stats
		if err := arg(0, &st); err != nil {
			return err
		}
		if st.ServerID == "" || len(st.ServerID) > maxName {
			return errors.New("stats without a usable serverId")
		}
		if len(st.Namespaces) > maxRooms || len(st.Aggregated) > maxRooms {
			return fmt.Errorf("stats of %d namespaces and %d counts", len(st.Namespaces), len(st.Aggregated))
		}
		st.Received = e.Time
		if _, ok := c.servers[st.ServerID]; !ok && len(c.servers) >= MaxServers {
			return fmt.Errorf("more than %d server nodes", MaxServers)
		}
		c.servers[st.ServerID] = &st
		*out = append(*out, Change{Kind: StatsReceived, Time: e.Time, Stats: &st})
	case "all_sockets":
		var list []*Socket
		if err := arg(0, &list); err != nil {
			return err
		}
		clear(c.sockets)
		c.untracked = 0
		for _, s := range list {
			if s == nil {
				continue
			}
			if err := s.check(); err != nil {
				return err
			}
			c.addLocked(s)
		}
		c.listed = true
		c.markReadyLocked()
	case "socket_connected":
		var s Socket
		if err := arg(0, &s); err != nil {
			return err
		}
		if err := s.check(); err != nil {
			return err
		}
		c.addLocked(&s)
		cp := s
		*out = append(*out, Change{Kind: SocketConnected, Time: when(1), Namespace: s.Namespace, SocketID: s.ID, Transport: s.Transport, Socket: &cp})
	case "socket_updated":
		var u struct {
			ID        string          `json:"id"`
			Namespace string          `json:"nsp"`
			Transport string          `json:"transport"`
			Data      json.RawMessage `json:"data"`
		}
		if err := arg(0, &u); err != nil {
			return err
		}
		s := c.sockets[socketKey{u.Namespace, u.ID}]
		if u.Transport != "" {
			if s != nil {
				s.Transport = u.Transport
			}
			*out = append(*out, Change{Kind: SocketUpgraded, Time: e.Time, Namespace: u.Namespace, SocketID: u.ID, Transport: u.Transport})
		}
		if u.Data != nil {
			if s != nil {
				s.Data = u.Data
			}
			*out = append(*out, Change{Kind: SocketUpdated, Time: e.Time, Namespace: u.Namespace, SocketID: u.ID, Data: u.Data})
		}
	case "socket_disconnected":
		v, err := names(3)
		if err != nil {
			return err
		}
		delete(c.sockets, socketKey{v[0], v[1]})
		*out = append(*out, Change{Kind: SocketDisconnected, Time: when(3), Namespace: v[0], SocketID: v[1], Reason: v[2]})
	case "room_joined", "room_left":
		v, err := names(3)
		if err != nil {
			return err
		}
		nsp, room, id := v[0], v[1], v[2]
		kind := RoomJoined
		if s := c.sockets[socketKey{nsp, id}]; s != nil {
			if e.Name == "room_joined" {
				if !s.InRoom(room) && len(s.Rooms) < maxRooms {
					s.Rooms = append(s.Rooms, room)
				}
			} else {
				s.Rooms = slices.DeleteFunc(s.Rooms, func(r string) bool { return r == room })
			}
		}
		if e.Name == "room_left" {
			kind = RoomLeft
		}
		if room != id { // each socket's own room comes and goes with it
			*out = append(*out, Change{Kind: kind, Time: when(3), Namespace: nsp, SocketID: id, Room: room})
		}
	case "event_received", "event_sent":
		v, err := names(2)
		if err != nil {
			return err
		}
		if len(args) < 3 || len(args[2]) == 0 || args[2][0] != '[' {
			return errors.New("argument 3: want the event as an array")
		}
		kind := EventReceived
		if e.Name == "event_sent" {
			kind = EventSent
		}
		p := &codec.Packet{Type: e.Packet.Type, Namespace: v[0], Data: args[2], Attachments: e.Packet.Attachments}
		*out = append(*out, Change{Kind: kind, Time: when(3), Namespace: v[0], SocketID: v[1], Packet: p})
	}
	return nil
}

// addLocked tracks a socket; c.mu is held.
func (c *Client) addLocked(s *Socket) {
	k := socketKey{s.Namespace, s.ID}
	if _, ok := c.sockets[k]; !ok && len(c.sockets) >= MaxSockets {
		c.untracked++
		return
	}
	c.sockets[k] = s
}
