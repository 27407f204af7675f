package sioserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/siocli/sio/internal/eioserver"
	"github.com/siocli/sio/pkg/codec"
	"github.com/siocli/sio/pkg/engineio/wire"
)

// client is one Engine.IO session and the namespaces it joined. message is
// only called from the session's handler, one call at a time.
type client struct {
	srv   *Server
	sess  *eioserver.Session
	since time.Time
	proto codec.Version
	dec   codec.Decoder

	mu      sync.Mutex
	sockets map[string]*socket // by namespace
}

// socket is a client's connection to one namespace.
type socket struct {
	c  *client
	ns string
	id string

	mu      sync.Mutex
	nextAck uint64
	asked   map[uint64]asked
	rooms   map[string]bool // besides its own id's

	since        time.Time
	adminSession string // the admin namespace's session id to give it once connected
}

// in reports whether the socket is in room; its id is a room of its own.
func (so *socket) in(room string) bool {
	if room == so.id {
		return true
	}
	so.mu.Lock()
	defer so.mu.Unlock()
	return so.rooms[room]
}

// roomList returns the socket's rooms, its own id's first.
func (so *socket) roomList() []string {
	so.mu.Lock()
	defer so.mu.Unlock()
	out := []string{so.id}
	for r := range so.rooms {
		out = append(out, r)
	}
	sort.Strings(out[1:])
	return out
}

// maxRooms bounds the rooms a socket joins.
const maxRooms = 1000

// join puts the socket in room, reporting whether it was not there.
func (so *socket) join(room string) bool {
	if room == so.id || room == "" {
		return false
	}
	so.mu.Lock()
	defer so.mu.Unlock()
	if so.rooms[room] || len(so.rooms) >= maxRooms {
		return false
	}
	if so.rooms == nil {
		so.rooms = map[string]bool{}
	}
	so.rooms[room] = true
	return true
}

// leave takes the socket out of room, reporting whether it was there.
func (so *socket) leave(room string) bool {
	so.mu.Lock()
	defer so.mu.Unlock()
	if !so.rooms[room] {
		return false
	}
	delete(so.rooms, room)
	return true
}

// asked is an event the server emitted with an ack id.
type asked struct {
	event string
	at    time.Time
}

// ask returns a new ack id for an emit of event.
func (so *socket) ask(event string) uint64 {
	so.mu.Lock()
	defer so.mu.Unlock()
	id := so.nextAck
	so.nextAck++
	if so.asked == nil {
		so.asked = make(map[uint64]asked)
	}
	so.asked[id] = asked{event: event, at: time.Now()}
	return id
}

// answered takes the emit an ack id answers.
func (so *socket) answered(id uint64) (asked, bool) {
	so.mu.Lock()
	defer so.mu.Unlock()
	a, ok := so.asked[id]
	delete(so.asked, id)
	return a, ok
}

// sortedSockets returns the client's sockets by namespace. c.mu must be
// held.
func (c *client) sortedSockets() []*socket {
	out := make([]*socket, 0, len(c.sockets))
	for _, so := range c.sockets {
		out = append(out, so)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ns < out[j].ns })
	return out
}

func (c *client) socket(ns string) *socket {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sockets[ns]
}

// send encodes pk and queues its messages on the session.
func (c *client) send(pk *codec.Packet) error {
	msgs, err := c.srv.encode(pk)
	if err != nil {
		return err
	}
	return c.sendMsgs(msgs...)
}

// sendMsgs queues messages on the session, counted for the admin
// namespace's stats.
func (c *client) sendMsgs(msgs ...wire.Message) error {
	for _, m := range msgs {
		c.srv.adm.message(false, len(m.Data))
	}
	return c.sess.Send(msgs...)
}

// fail reports what the client did wrong and closes its session, as the
// reference server does: with a close packet (over polling, on the next
// GET), the session ending for a parse error.
func (c *client) fail(err error) {
	c.srv.observe(Record{Type: RecordError, Client: c.sess.ID(), Err: err})
	c.sess.CloseFor(wire.ReasonParseError, err)
}

func (c *client) message(m wire.Message) {
	pk, err := c.dec.Decode(codec.Message{Data: m.Data, Binary: m.Binary})
	if err != nil {
		c.fail(err)
		return
	}
	if pk == nil {
		return // attachments to come
	}
	if pk.Type == codec.Connect {
		c.connect(pk)
		return
	}
	so := c.socket(pk.Nsp())
	if so == nil {
		c.fail(fmt.Errorf("a %s packet for %s, which the client has not joined", pk.Type, pk.Nsp()))
		return
	}
	switch pk.Type {
	case codec.Disconnect:
		c.mu.Lock()
		delete(c.sockets, so.ns)
		c.mu.Unlock()
		c.srv.observe(Record{Type: RecordDisconnect, Client: c.sess.ID(), Namespace: so.ns, SocketID: so.id, Reason: codec.ReasonClientNamespaceDisconnect})
		c.srv.adm.left(so, codec.ReasonClientNamespaceDisconnect)
	case codec.Event, codec.BinaryEvent:
		c.event(so, pk)
	case codec.Ack, codec.BinaryAck:
		a, ok := so.answered(pk.ID)
		if !ok {
			c.srv.observe(Record{Type: RecordError, Client: c.sess.ID(), Namespace: so.ns, Err: fmt.Errorf("an ack with id %d, which the server did not ask for", pk.ID)})
			return
		}
		c.srv.observe(Record{Type: RecordAck, Client: c.sess.ID(), Namespace: so.ns, SocketID: so.id, Packet: pk, Event: a.event, RTT: time.Since(a.at)})
	default:
		c.fail(fmt.Errorf("a %s packet, which only servers send", pk.Type))
	}
}

// event observes an event, answers its ack with its own arguments, and
// echoes or broadcasts it as configured.
func (c *client) event(so *socket, pk *codec.Packet) {
	c.srv.observe(Record{Type: RecordEvent, Client: c.sess.ID(), Namespace: so.ns, SocketID: so.id, Packet: pk})
	if c.srv.adm.owns(so.ns) {
		c.srv.adm.event(so, pk)
		return
	}
	c.srv.adm.received(so, pk)
	if c.srv.opts.Rooms {
		c.roomEvent(so, pk)
	}
	if pk.HasID {
		_, rest, err := codec.CutFirst(pk.Data)
		if err == nil {
			data := append([]byte{'['}, rest...)
			c.send(&codec.Packet{Type: codec.Ack, Namespace: so.ns, ID: pk.ID, HasID: true, Data: data, Attachments: pk.Attachments})
		}
	}
	if name, _ := pk.EventName(); c.srv.opts.Conformance && name == "message" {
		c.send(&codec.Packet{Type: codec.Event, Namespace: so.ns, Data: renamed(pk.Data, "message-back"), Attachments: pk.Attachments})
	}
	if !c.srv.opts.Echo && !c.srv.opts.Broadcast {
		return
	}
	echo := &codec.Packet{Type: codec.Event, Namespace: so.ns, Data: pk.Data, Attachments: pk.Attachments}
	out, err := c.srv.encode(echo)
	if err != nil {
		return
	}
	if c.srv.opts.Echo {
		c.sendMsgs(out...)
		c.srv.adm.sent(so, echo)
	}
	if c.srv.opts.Broadcast {
		others, _ := c.srv.targets("", so.ns)
		for _, o := range others {
			if o != so {
				o.c.sendMsgs(out...)
				c.srv.adm.sent(o, echo)
			}
		}
	}
}

// renamed returns the arguments of an event, a JSON array whose first
// element is its name, under another name.
func renamed(data []byte, name string) []byte {
	out, _, _ := codec.MarshalArgs(name)
	if _, rest, err := codec.CutFirst(data); err == nil {
		if rest = bytes.TrimLeft(rest, " \t\r\n"); len(rest) > 0 && rest[0] != ']' {
			out = append(append(out[:len(out)-1], ','), rest...)
		}
	}
	return out
}

// roomEvent takes a client's join ROOM or leave ROOM (with Options.Rooms).
func (c *client) roomEvent(so *socket, pk *codec.Packet) {
	name, _ := pk.EventName()
	if name != "join" && name != "leave" {
		return
	}
	args, err := pk.Args()
	var room string
	if err != nil || len(args) < 2 || json.Unmarshal(args[1], &room) != nil || room == "" {
		return
	}
	if name == "join" {
		c.srv.join(so, room)
	} else {
		c.srv.leave(so, room)
	}
}

// connect joins the namespace a CONNECT packet names, or refuses it.
func (c *client) connect(pk *codec.Packet) {
	ns := pk.Nsp()
	auth := json.RawMessage(pk.Data)
	if c.proto == codec.V4 {
		// Protocol 4 has no auth payload; the query of the handshake and of
		// the namespace ("/admin?token=x") stand for it.
		q := url.Values{}
		for k, v := range c.sess.Query() {
			q[k] = v
		}
		if name, query, ok := strings.Cut(ns, "?"); ok {
			ns = name
			extra, _ := url.ParseQuery(query)
			for k, v := range extra {
				q[k] = v
			}
		}
		for _, k := range []string{"EIO", "transport", "t", "sid", "b64"} {
			q.Del(k)
		}
		auth = queryJSON(q)
	}
	if old := c.socket(ns); old != nil {
		if c.proto == codec.V5 {
			c.fail(fmt.Errorf("a second connect to %s", ns))
			return
		}
		c.send(&codec.Packet{Type: codec.Connect, Namespace: ns})
		return
	}
	if !c.srv.has(ns) {
		c.refuseWith(ns, auth, "Invalid namespace", nil, "")
		return
	}
	adminSession := ""
	if c.srv.adm.owns(ns) {
		var ok bool
		if adminSession, ok = c.srv.adm.authorize(c, ns, auth); !ok {
			return
		}
	} else if missing, wrong := lacking(auth, c.srv.opts.RequireAuth); missing != nil || wrong != nil {
		c.refuse(ns, auth, missing, wrong)
		return
	}
	so := &socket{c: c, ns: ns, id: eioserver.NewID(), since: time.Now(), adminSession: adminSession}
	reply := &codec.Packet{Type: codec.Connect, Namespace: ns}
	if c.proto == codec.V4 {
		so.id = c.sess.ID()
		if ns != codec.RootNamespace {
			so.id = ns + "#" + c.sess.ID()
		}
	} else {
		reply.Data, _ = json.Marshal(map[string]string{"sid": so.id})
	}
	c.mu.Lock()
	c.sockets[ns] = so
	c.mu.Unlock()
	c.send(reply)
	c.srv.observe(Record{Type: RecordConnect, Client: c.sess.ID(), Namespace: ns, SocketID: so.id, Auth: auth})
	c.srv.adm.joined(so)
	if c.srv.opts.Conformance {
		var given bytes.Buffer
		if len(auth) == 0 || json.Compact(&given, auth) != nil {
			given.WriteString("{}")
		}
		data, _, _ := codec.MarshalArgs("auth", json.RawMessage(given.Bytes()))
		c.send(&codec.Packet{Type: codec.Event, Namespace: ns, Data: data})
	}
}

// refuse answers a connect whose auth lacks what RequireAuth asks for,
// naming the keys that were missing or wrong and never the values wanted,
// which would hand the secret to whoever asks.
func (c *client) refuse(ns string, auth json.RawMessage, missing, wrong []string) {
	why := map[string][]string{}
	var said []string
	if missing != nil {
		why["missing"] = missing
		said = append(said, "missing "+strings.Join(missing, ", "))
	}
	if wrong != nil {
		why["wrong"] = wrong
		said = append(said, "wrong "+strings.Join(wrong, ", "))
	}
	data, _ := json.Marshal(why)
	c.refuseWith(ns, auth, "not authorized", data, strings.Join(said, "; "))
}

// refuseWith answers a connect with CONNECT_ERROR: in protocol 5 an
// object with the message and data, in 4 the message alone, followed by
// plain, when given, which says the data in words.
func (c *client) refuseWith(ns string, auth json.RawMessage, message string, data json.RawMessage, plain string) {
	var payload []byte
	switch {
	case c.proto == codec.V4 && plain != "":
		payload, _ = json.Marshal(message + ": the query has " + plain)
	case c.proto == codec.V4:
		payload, _ = json.Marshal(message)
	case data != nil:
		payload, _ = json.Marshal(map[string]any{"message": message, "data": data})
	default:
		payload, _ = json.Marshal(map[string]any{"message": message})
	}
	c.send(&codec.Packet{Type: codec.ConnectError, Namespace: ns, Data: payload})
	c.srv.observe(Record{Type: RecordConnectError, Client: c.sess.ID(), Namespace: ns, Auth: auth, Message: message, Data: data})
}

// disconnect removes a socket from its namespace, telling the client.
func (c *client) disconnect(so *socket, reason string) {
	c.mu.Lock()
	if c.sockets[so.ns] != so {
		c.mu.Unlock()
		return
	}
	delete(c.sockets, so.ns)
	c.mu.Unlock()
	c.send(&codec.Packet{Type: codec.Disconnect, Namespace: so.ns})
	c.srv.observe(Record{Type: RecordDisconnect, Client: c.sess.ID(), Namespace: so.ns, SocketID: so.id, Reason: reason})
	c.srv.adm.left(so, reason)
}

// queryJSON turns query parameters into a JSON object of strings (the
// first value of each).
func queryJSON(q url.Values) json.RawMessage {
	if len(q) == 0 {
		return nil
	}
	m := make(map[string]string, len(q))
	for k, v := range q {
		m[k] = v[0]
	}
	b, _ := json.Marshal(m)
	return b
}

// lacking returns the keys of want that auth, a JSON object, does not
// hold (missing) and those it holds with another value (wrong), each
// sorted, or nil for none. A string in auth equals a number or boolean in
// want whose JSON text it is, for query parameters.
func lacking(auth json.RawMessage, want map[string]json.RawMessage) (missing, wrong []string) {
	if len(want) == 0 {
		return nil, nil
	}
	var have map[string]json.RawMessage
	json.Unmarshal(auth, &have)
	for k, w := range want {
		h, ok := have[k]
		switch {
		case !ok:
			missing = append(missing, k)
		case !sameJSON(h, w):
			wrong = append(wrong, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(wrong)
	return missing, wrong
}

func sameJSON(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	if reflect.DeepEqual(x, y) {
		return true
	}
	if s, ok := x.(string); ok {
		return s == string(bytes.TrimSpace(b))
	}
	return false
}
