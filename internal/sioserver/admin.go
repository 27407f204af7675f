package sioserver

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"net"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/siocli/sio/pkg/codec"
	"github.com/siocli/sio/pkg/engineio/wire"
)

// AdminOptions configure the admin namespace: what @socket.io/admin-ui's
// instrument() serves, in development mode, so that sio admin and the
// admin UI's page can watch sio serve.
type AdminOptions struct {
	Namespace string // default /admin
	// User and Password are the credentials a connect must give (as
	// {username, password}); without a User anyone may connect.
	User, Password string
	// ReadOnly offers none of the actions (emit, join, leave, disconnect).
	ReadOnly bool
	// ServerID names this server in its stats; default the host name.
	ServerID string
}

// admin serves the admin namespace. Its methods are no-ops on a nil admin,
// so the server calls them unconditionally.
type admin struct {
	srv   *Server
	opts  AdminOptions
	start time.Time
	quit  chan struct{}
	done  chan struct{}

	// traffic counts packets and bytes in and out since the last stats,
	// without a lock: they change with every message.
	traffic [4]atomic.Int64 // packetsIn, packetsOut, bytesIn, bytesOut

	mu       sync.Mutex
	sessions map[string]bool             // ids given to connects with the credentials
	counts   map[aggregateKey]*aggregate // since the last stats
	order    []aggregateKey
}

type aggregateKey struct {
	second        int64
	kind, subType string
}

type aggregate struct {
	Timestamp int64  `json:"timestamp"`
	Type      string `json:"type"`
	SubType   string `json:"subType,omitempty"`
	Count     int    `json:"count"`
}

// maxAdminSessions bounds the session ids kept; the oldest go first.
const maxAdminSessions = 10_000

func newAdmin(srv *Server, opts AdminOptions) *admin {
	if opts.Namespace == "" {
		opts.Namespace = "/admin"
	}
	if opts.ServerID == "" {
		opts.ServerID, _ = os.Hostname()
	}
	a := &admin{srv: srv, opts: opts, start: time.Now(), quit: make(chan struct{}), done: make(chan struct{}),
		sessions: map[string]bool{}, counts: map[aggregateKey]*aggregate{}}
	go a.statsLoop()
	return a
}

// stop ends the stats.
func (a *admin) stop() {
	if a == nil {
		return
	}
	select {
	case <-a.quit:
	default:
		close(a.quit)
	}
	<-a.done
}

// owns reports whether ns is the admin namespace.
func (a *admin) owns(ns string) bool { return a != nil && ns == a.opts.Namespace }

// trafficKinds name the traffic counters in the stats.
var trafficKinds = [4]string{"packetsIn", "packetsOut", "bytesIn", "bytesOut"}

// message counts a message in (or out) of n bytes.
func (a *admin) message(in bool, n int) {
	if a == nil {
		return
	}
	i := 1
	if in {
		i = 0
	}
	a.traffic[i].Add(1)
	a.traffic[i+2].Add(int64(n))
}

// count adds n to this second's count of kind (and subType): the
// connections and disconnections.
func (a *admin) count(kind, subType string, n int) {
	if a == nil {
		return
	}
	k := aggregateKey{time.Now().Unix(), kind, subType}
	a.mu.Lock()
	defer a.mu.Unlock()
	if c := a.counts[k]; c != nil {
		c.Count += n
		return
	}
	if len(a.counts) >= 10_000 {
		return // a flood of reasons: what is counted already is enough
	}
	a.counts[k] = &aggregate{Timestamp: k.second * 1000, Type: kind, SubType: subType, Count: n}
	a.order = append(a.order, k)
}

// authorize checks a connect to the admin namespace: a session id given
// earlier, or the credentials, which get a new session id. It refuses the
// connect itself.
func (a *admin) authorize(c *client, ns string, auth json.RawMessage) (session string, ok bool) {
	if a.opts.User == "" {
		return "", true
	}
	var creds struct {
		SessionID string `json:"sessionId"`
		Username  string `json:"username"`
		Password  string `json:"password"`
	}
	json.Unmarshal(auth, &creds)
	a.mu.Lock()
	known := creds.SessionID != "" && a.sessions[creds.SessionID]
	a.mu.Unlock()
	if known {
		return "", true
	}
	if subtle.ConstantTimeCompare([]byte(creds.Username), []byte(a.opts.User)) == 1 &&
		subtle.ConstantTimeCompare([]byte(creds.Password), []byte(a.opts.Password)) == 1 {
		b := make([]byte, 8)
		rand.Read(b)
		session = hex.EncodeToString(b)
		a.mu.Lock()
		if len(a.sessions) >= maxAdminSessions {
			clear(a.sessions)
		}
		a.sessions[session] = true
		a.mu.Unlock()
		return session, true
	}
	c.refuseWith(ns, auth, "invalid credentials", nil, "")
	return "", false
}

// features is what the admin namespace offers.
func (a *admin) features() []string {
	f := []string{"AGGREGATED_EVENTS", "ALL_EVENTS"}
	if !a.opts.ReadOnly {
		f = append([]string{"EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT"}, f...)
	}
	return f
}

// now is a time as JavaScript's Date serialises it.
func jsTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// emitTo sends an event built from args to one socket.
func (a *admin) emitTo(so *socket, event string, args ...any) {
	data, atts, err := codec.MarshalArgs(append([]any{event}, args...)...)
	if err != nil {
		return
	}
	so.c.send(&codec.Packet{Type: codec.Event, Namespace: so.ns, Data: data, Attachments: atts})
}

// broadcast sends an event to every socket of the admin namespace; raw,
// when set, is the packet's data (a JSON array with the event's name
// first) instead of one built from args, with its attachments.
func (a *admin) broadcast(event string, args ...any) {
	for _, so := range a.srv.inRoom(a.opts.Namespace, "") {
		a.emitTo(so, event, args...)
	}
}

func (a *admin) broadcastRaw(data json.RawMessage, atts [][]byte) {
	for _, so := range a.srv.inRoom(a.opts.Namespace, "") {
		so.c.send(&codec.Packet{Type: codec.Event, Namespace: so.ns, Data: data, Attachments: atts})
	}
}

// serialize describes a socket as the admin UI's serialize() does.
func (a *admin) serialize(so *socket) map[string]any {
	sess := so.c.sess
	hs := sess.Handshake()
	headers := map[string]string{}
	for k, v := range hs.Header {
		headers[strings.ToLower(k)] = strings.Join(v, ", ")
	}
	query := map[string]string{}
	for k, v := range sess.Query() {
		query[k] = v[0]
	}
	addr := sess.RemoteAddr()
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	if f := headers["x-forwarded-for"]; f != "" {
		addr = f
	}
	id := sess.ID()
	if len(id) > 12 {
		id = id[:12]
	}
	return map[string]any{
		"id": so.id, "clientId": id, "transport": string(sess.Transport()), "nsp": so.ns, "data": map[string]any{},
		"handshake": map[string]any{
			"address": addr, "headers": headers, "query": query, "issued": hs.Time.UnixMilli(),
			"secure": hs.Secure, "time": hs.Time.Format("Mon Jan 02 2006 15:04:05 GMT-0700 (MST)"), "url": hs.URL,
			"xdomain": headers["origin"] != "",
		},
		"rooms": so.roomList(),
	}
}

// joined tells the admin namespace of a socket that connected, and gives
// a new admin socket its session, the config and every socket.
func (a *admin) joined(so *socket) {
	if a == nil {
		return
	}
	a.broadcast("socket_connected", a.serialize(so), jsTime(time.Now()))
	if so.ns != a.opts.Namespace {
		return
	}
	if so.adminSession != "" {
		a.emitTo(so, "session", so.adminSession)
	}
	a.emitTo(so, "config", map[string]any{"supportedFeatures": a.features()})
	all := []map[string]any{}
	for _, c := range a.srv.allClients() {
		c.mu.Lock()
		socks := c.sortedSockets()
		c.mu.Unlock()
		for _, s := range socks {
			all = append(all, a.serialize(s))
		}
	}
	a.emitTo(so, "all_sockets", all)
}

// left tells the admin namespace of a socket that left, and of the rooms
// it left with it.
func (a *admin) left(so *socket, reason string) {
	if a == nil {
		return
	}
	now := jsTime(time.Now())
	a.broadcast("socket_disconnected", so.ns, so.id, reason, now)
	for _, r := range so.roomList()[1:] {
		a.broadcast("room_left", so.ns, r, so.id, now)
	}
}

// upgraded tells the admin namespace that a client's sockets now go over
// WebSocket.
func (a *admin) upgraded(c *client) {
	if a == nil {
		return
	}
	c.mu.Lock()
	socks := c.sortedSockets()
	c.mu.Unlock()
	for _, so := range socks {
		a.broadcast("socket_updated", map[string]any{"id": so.id, "nsp": so.ns, "transport": string(wire.WebSocket)})
	}
}

// received and sent tell the admin namespace of an event from a socket or
// to it (not of its own sockets').
func (a *admin) received(so *socket, pk *codec.Packet) { a.relay("event_received", so, pk) }

func (a *admin) sent(so *socket, pk *codec.Packet) { a.relay("event_sent", so, pk) }

func (a *admin) relay(kind string, so *socket, pk *codec.Packet) {
	if a == nil || so.ns == a.opts.Namespace {
		return
	}
	head, _, _ := codec.MarshalArgs(kind, so.ns, so.id)
	tail, _ := json.Marshal(jsTime(time.Now()))
	data := make([]byte, 0, len(head)+len(pk.Data)+len(tail)+2)
	data = append(data, head[:len(head)-1]...)
	data = append(data, ',')
	data = append(data, pk.Data...)
	data = append(data, ',')
	data = append(data, tail...)
	data = append(data, ']')
	a.broadcastRaw(data, pk.Attachments)
}

// roomJoined and roomLeft tell the admin namespace of a room change.
func (a *admin) roomChanged(event string, so *socket, room string) {
	if a == nil {
		return
	}
	a.broadcast(event, so.ns, room, so.id, jsTime(time.Now()))
}

// event carries out an admin socket's action: emit, join, leave or
// _disconnect, for the sockets of a namespace in a room (every one
// without), as socket.io 4's do. A read-only server takes none.
func (a *admin) event(_ *socket, pk *codec.Packet) {
	if a.opts.ReadOnly {
		return
	}
	name, _ := pk.EventName()
	args, err := pk.Args()
	if err != nil || len(args) < 2 {
		return
	}
	args = args[1:]
	var nsp string
	if json.Unmarshal(args[0], &nsp) != nil {
		return
	}
	filter := func(i int) string {
		var f string
		if i < len(args) {
			json.Unmarshal(args[i], &f) // null: every socket
		}
		return f
	}
	switch name {
	case "emit":
		if len(args) < 3 {
			return
		}
		data := append([]byte{'['}, args[2]...)
		for _, x := range args[3:] {
			data = append(append(data, ','), x...)
		}
		data = append(data, ']')
		out := &codec.Packet{Type: codec.Event, Namespace: nsp, Data: data, Attachments: pk.Attachments}
		for _, so := range a.srv.inRoom(nsp, filter(1)) {
			if so.c.send(out) == nil {
				a.sent(so, out)
			}
		}
	case "join", "leave":
		var room string
		if len(args) < 2 || json.Unmarshal(args[1], &room) != nil || room == "" {
			return
		}
		for _, so := range a.srv.inRoom(nsp, filter(2)) {
			if name == "join" {
				a.srv.join(so, room)
			} else {
				a.srv.leave(so, room)
			}
		}
	case "_disconnect":
		var closeAll bool
		if len(args) > 1 {
			json.Unmarshal(args[1], &closeAll)
		}
		for _, so := range a.srv.inRoom(nsp, filter(2)) {
			if closeAll {
				so.c.sess.Close()
			} else {
				so.c.disconnect(so, codec.ReasonServerNamespaceDisconnect)
			}
		}
	}
}

// statsLoop sends the server's stats every 2 s, as each node of a
// socket.io cluster does.
func (a *admin) statsLoop() {
	defer close(a.done)
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-a.quit:
			return
		case <-t.C:
			a.sendStats()
		}
	}
}

func (a *admin) sendStats() {
	a.mu.Lock()
	counts := make([]aggregate, 0, len(a.order))
	for _, k := range a.order {
		counts = append(counts, *a.counts[k])
	}
	clear(a.counts)
	a.order = a.order[:0]
	a.mu.Unlock()
	second := time.Now().Unix() * 1000
	for i := range a.traffic {
		if n := a.traffic[i].Swap(0); n > 0 {
			counts = append(counts, aggregate{Timestamp: second, Type: trafficKinds[i], Count: int(n)})
		}
	}
	clients := a.srv.allClients()
	polling := 0
	ns := map[string]int{"/": 0, a.opts.Namespace: 0}
	var names []string
	for _, c := range clients {
		if c.sess.Transport() == wire.Polling {
			polling++
		}
		c.mu.Lock()
		for n := range c.sockets {
			ns[n]++
		}
		c.mu.Unlock()
	}
	for n := range ns {
		names = append(names, n)
	}
	sort.Strings(names)
	list := make([]map[string]any, 0, len(names))
	for _, n := range names {
		list = append(list, map[string]any{"name": n, "socketsCount": ns[n]})
	}
	host, _ := os.Hostname()
	a.broadcast("server_stats", map[string]any{
		"serverId": a.opts.ServerID, "hostname": host, "pid": os.Getpid(),
		"uptime": time.Since(a.start).Seconds(), "clientsCount": len(clients), "pollingClientsCount": polling,
		"aggregatedEvents": counts, "namespaces": list,
	})
}
