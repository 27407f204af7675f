package conform

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/siocli/sio/pkg/codec"
	"github.com/siocli/sio/pkg/engineio/wire"
)

// The protocol checks: what the protocol documents ask of every server,
// taking nothing of an application for granted. Timings are the ones the
// server announces.

// slack is how far a heartbeat may stray from what the server announced:
// a tenth of pingInterval, at least 100 ms, at most pingTimeout.
func (r *runner) slack() time.Duration {
	return min(max(100*time.Millisecond, r.hs.PingInterval/10), r.hs.PingTimeout)
}

// heartbeatWait is how long the heartbeat checks wait: two pings of an
// Engine.IO 4 server, a pong of an Engine.IO 3 one.
func heartbeatWait(r *runner) time.Duration {
	if r.v == wire.Version3 {
		return r.hs.PingTimeout
	}
	return 2 * (r.hs.PingInterval + r.slack())
}

// timeoutWait is how long the ping-timeout checks wait.
func timeoutWait(r *runner) time.Duration {
	return r.hs.PingInterval + r.hs.PingTimeout + r.slack()
}

// needs skips the check unless the options allow the transport.
func (t *T) needs(tr wire.Transport) {
	if !t.r.allows(tr) {
		t.Skipf("not checked: the connection options leave out %s", tr)
	}
}

// checkOpen checks an open packet's fields and their types; a
// WebSocket's must offer no upgrade.
func (t *T) checkOpen(data []byte, ws bool, what string) {
	m := t.openFields(data, what)
	var sid string
	if json.Unmarshal(m["sid"], &sid) != nil || sid == "" {
		t.Fatalf("%s: sid is not a string that names the session", what)
	}
	var ups []string
	if json.Unmarshal(m["upgrades"], &ups) != nil || ups == nil {
		t.Fatalf("%s: upgrades is not an array of transport names", what)
	}
	if ws && len(ups) > 0 {
		t.Fatalf("%s: a WebSocket session offers upgrades %q; there is nothing to upgrade to", what, ups)
	}
	count := func(k string) (float64, bool) {
		raw, ok := m[k]
		if !ok {
			return 0, false
		}
		var n float64
		if json.Unmarshal(raw, &n) != nil || n <= 0 || n != math.Trunc(n) {
			t.Fatalf("%s: %s is %s, not a whole number above 0", what, k, raw)
		}
		return n, true
	}
	for _, k := range []string{"pingInterval", "pingTimeout"} {
		if _, ok := count(k); !ok {
			t.Fatalf("%s: no %s", what, k)
		}
	}
	if _, ok := count("maxPayload"); !ok {
		t.Notef("no maxPayload (engine.io before 6.2 sends none)")
	}
	var extra []string
	for k := range m {
		if !slices.Contains([]string{"sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"}, k) {
			extra = append(extra, k)
		}
	}
	if len(extra) > 0 {
		slices.Sort(extra)
		t.Notef("keys the protocol does not have: %s", strings.Join(extra, ", "))
	}
}

func protoHandshakePolling(t *T) {
	t.needs(wire.Polling)
	rp := t.get("")
	t.wantStatus(rp, http.StatusOK, "the handshake")
	packets := t.decode(rp, "the handshake")
	if len(packets) == 0 || packets[0].Type != wire.PacketOpen {
		t.Fatalf("the handshake: the first packet is not an open packet")
	}
	t.checkOpen(packets[0].Data, false, "the handshake")
	if len(packets) > 1 {
		t.Notef("the handshake's answer also holds %s", packetList(packets[1:]))
	}
}

func protoHandshakeWebSocket(t *T) {
	t.needs(wire.WebSocket)
	w := t.mustDial("")
	f := w.next("the handshake")
	p, ok := f.packet(t.v)
	if !ok || f.binary || p.Type != wire.PacketOpen {
		t.Fatalf("the handshake: the first frame is not an open packet, 0{...}")
	}
	t.checkOpen(p.Data, true, "the handshake")
}

// wantError checks an error answer: the status, and the code of an
// engine.io error body. A body that is not one is said, not failed: the
// codes are the reference server's, the protocol documents name none.
func (t *T) wantError(rp reply, status int, code wire.ErrorCode, what string) {
	t.wantStatus(rp, status, what)
	got, msg, ok := rp.errorCode()
	switch {
	case !ok:
		t.Notef("%s: the body is not engine.io's {\"code\":%d,...}: %s", what, code, show(rp.body, false))
	case got != code:
		t.Fatalf("%s: want engine.io's code %d (%s)", what, code, code.Message())
	case msg != code.Message():
		t.Notef("%s: code %d says %q, engine.io says %q", what, code, msg, code.Message())
	}
}

// protoPostOK: a POST that is taken is answered 200 with the body ok.
// The packet is one every server takes at that point: Engine.IO 3's
// ping, a CONNECT in protocol 5.
func protoPostOK(t *T) {
	t.needs(wire.Polling)
	sid, _, _ := t.open()
	p := wire.Packet{Type: wire.PacketPing}
	if t.v == wire.Version4 {
		s := &session{t: t}
		msgs, err := t.r.parser.Encode(&codec.Packet{Type: codec.Connect, Namespace: t.r.cfg.Namespace, Data: s.auth()})
		if err != nil {
			t.Fatalf("encoding the CONNECT: %v", err)
		}
		p = wire.Packet{Type: wire.PacketMessage, Data: msgs[0].Data, Binary: msgs[0].Binary}
	}
	rp := t.send(http.MethodPost, t.url(wire.Polling, sid), wire.EncodePayload(nil, []wire.Packet{p}, t.v))
	t.wantBody(rp, "ok", "the POST")
}

func protoUnknownTransport(t *T) {
	t.needs(wire.Polling)
	t.wantError(t.get("", without(wire.QueryTransport)), http.StatusBadRequest, wire.CodeTransportUnknown, "no transport")
	t.wantError(t.get("", with(wire.QueryTransport, "abc")), http.StatusBadRequest, wire.CodeTransportUnknown, "transport=abc")
}

func protoUnknownSID(t *T) {
	t.needs(wire.Polling)
	sid := fmt.Sprintf("sio-conform-%d", time.Now().UnixNano())
	t.wantError(t.get(sid), http.StatusBadRequest, wire.CodeUnknownSID, "a GET of an unknown sid")
	t.wantError(t.post(sid, string(wire.EncodePayload(nil, []wire.Packet{{Type: wire.PacketMessage, Data: []byte("2[\"x\"]")}}, t.v))), http.StatusBadRequest, wire.CodeUnknownSID, "a POST to an unknown sid")
}

func protoBadMethod(t *T) {
	t.needs(wire.Polling)
	for _, m := range []string{http.MethodPost, http.MethodPut} {
		t.wantError(t.send(m, t.url(wire.Polling, ""), nil), http.StatusBadRequest, wire.CodeBadHandshakeMethod, "a "+m+" handshake")
	}
}

// protoBadEIO: a missing or unknown EIO is refused (400, engine.io's
// code 5) by a server of Engine.IO 4 alone; servers that speak
// Engine.IO 3 may take it for 3 (engine.io 3.x ignores EIO, later ones
// with allowEIO3 take anything but 4 for 3), which is said.
func protoBadEIO(t *T) {
	t.needs(wire.Polling)
	for _, c := range []struct {
		what string
		e    edit
	}{{"a handshake without EIO", without(wire.QueryEIO)}, {"a handshake with EIO=abc", with(wire.QueryEIO, "abc")}} {
		rp := t.get("", c.e)
		switch {
		case rp.err == nil && rp.status == http.StatusOK && wire.LooksEIO3(rp.body, rp.binary()):
			t.Notef("%s: taken for Engine.IO 3", c.what)
		case rp.err == nil && rp.status == http.StatusOK:
			t.Fatalf("%s: a session opened, not of Engine.IO 3; the protocol wants 400 (EIO is mandatory)", c.what)
		default:
			t.wantError(rp, http.StatusBadRequest, wire.CodeUnsupportedVersion, c.what)
		}
	}
}

// keepAlive connects to the namespace of the options on a server of
// protocol 5, so that its connectTimeout leaves the session alone.
func (s *session) keepAlive() {
	if s.t.r.sio == codec.V5 {
		s.connect(s.t.r.cfg.Namespace)
	}
}

// within says whether d is within slack of want.
func (r *runner) within(d, want time.Duration) bool {
	return d >= want-r.slack() && d <= want+r.slack()
}

// heartbeat checks the heartbeat's timing over tr: an Engine.IO 4
// server pings every pingInterval, counted from the handshake and then
// from each pong; an Engine.IO 3 one answers a ping within pingTimeout.
func heartbeat(tr wire.Transport) func(*T) {
	return func(t *T) {
		t.needs(tr)
		s := t.session(tr)
		start := time.Now()
		hs := s.hs
		if t.v == wire.Version3 {
			s.send(wire.Packet{Type: wire.PacketPing})
			for {
				p, err := s.next(0)
				if err != nil {
					t.Fatalf("no pong: %v", err)
				}
				if p.Type == wire.PacketPong {
					if took := time.Since(start); took > hs.PingTimeout {
						t.Fatalf("the pong came after %v, beyond pingTimeout (%v)", took.Round(time.Millisecond), hs.PingTimeout)
					}
					return
				}
			}
		}
		s.keepAlive()
		s.pong = false
		var took []string
		for i := range 2 {
			for {
				p, err := s.next(0)
				if err != nil {
					t.Fatalf("ping %d: %v", i+1, err)
				}
				if p.Type == wire.PacketPing {
					break
				}
			}
			d := time.Since(start)
			took = append(took, d.Round(time.Millisecond).String())
			if !t.r.within(d, hs.PingInterval) {
				t.Fatalf("ping %d came %v after the %s, want pingInterval (%v) ± %v", i+1, d.Round(time.Millisecond), map[int]string{0: "handshake", 1: "pong"}[i], hs.PingInterval, t.r.slack())
			}
			s.send(wire.Packet{Type: wire.PacketPong})
			start = time.Now()
		}
		t.Notef("pings %s after the handshake and the pong", strings.Join(took, " and "))
	}
}

// pingTimeout checks that the server ends a session that stops
// answering: an Engine.IO 4 one whose pong does not come within
// pingTimeout of its ping, an Engine.IO 3 one that does not ping within
// pingInterval + pingTimeout.
func pingTimeout(tr wire.Transport) func(*T) {
	return func(t *T) {
		t.needs(tr)
		s := t.session(tr)
		start := time.Now()
		hs := s.hs
		s.pong = false
		if t.v == wire.Version4 {
			s.keepAlive()
		}
		want := hs.PingInterval + hs.PingTimeout
		last := start.Add(want + t.r.slack())
		for {
			left := time.Until(last)
			if left <= 0 {
				s.endedBy(want)
				return
			}
			_, err := s.next(left)
			if err == errClosed {
				break
			}
			if err != nil {
				s.endedBy(want)
				return
			}
		}
		d := time.Since(start)
		if d < hs.PingInterval || d > want+t.r.slack() {
			t.Fatalf("the session ended %v after the handshake, want pingInterval + pingTimeout (%v)", d.Round(time.Millisecond), want)
		}
		t.Notef("ended %v after the handshake", d.Round(time.Millisecond))
	}
}

// endedBy checks, once the session should have ended and said nothing,
// that it did: a WebSocket still open fails the check; over polling, a
// POST must be refused, and the waiting GET that the server left
// unanswered is said.
func (s *session) endedBy(want time.Duration) {
	t := s.t
	if s.tr == wire.WebSocket {
		t.Fatalf("the WebSocket is still open %v after the handshake, beyond pingInterval + pingTimeout (%v)", (want + t.r.slack()).Round(time.Millisecond), want)
	}
	p := wire.Packet{Type: wire.PacketPing}
	if t.v == wire.Version4 {
		p.Type = wire.PacketPong
	}
	rp := t.send(http.MethodPost, t.url(wire.Polling, s.sid), wire.EncodePayload(nil, []wire.Packet{p}, t.v))
	if rp.err == nil && rp.status == http.StatusOK {
		t.Fatalf("the session lives on beyond pingInterval + pingTimeout (%v): a POST is taken", want)
	}
	t.Notef("ended by pingInterval + pingTimeout, but the waiting GET was left unanswered")
}

// pollUntil GETs the session's packets on a goroutine of its own until
// a packet of one of the types comes, or an answer that is not 200; it
// sends what it saw when done.
func (t *T) pollUntil(ctx context.Context, sid string, types ...wire.PacketType) <-chan polled {
	ch := make(chan polled, 1)
	u := t.url(wire.Polling, sid)
	t.goroutine(ctx, func(ctx context.Context) {
		var res polled
		defer func() { ch <- res }()
		for {
			rp := t.doCtx(ctx, http.MethodGet, u, nil)
			res.last = rp
			if rp.err != nil || rp.status != http.StatusOK {
				return
			}
			packets, err := wire.DecodePayload(rp.body, t.v, rp.binary())
			if err != nil {
				return
			}
			res.packets = append(res.packets, packets...)
			for _, p := range packets {
				if slices.Contains(types, p.Type) {
					res.ended = true
					return
				}
			}
		}
	})
	return ch
}

// polled is what pollUntil saw.
type polled struct {
	packets []wire.Packet
	last    reply
	ended   bool // a packet of the types came
}

func (p polled) String() string {
	if len(p.packets) > 0 {
		return "GETs answered " + packetList(p.packets) + ", then " + p.last.String()
	}
	return "GET: " + p.last.String()
}

// packetList lists packets for a record.
func packetList(ps []wire.Packet) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ", ")
}

func protoUpgrade(t *T) {
	t.needs(wire.Polling)
	t.needs(wire.WebSocket)
	if t.r.cfg.Engine.NoUpgrade {
		t.Skipf("not checked: --no-upgrade")
	}
	sid, hs, _ := t.open()
	if !slices.Contains(hs.Upgrades, string(wire.WebSocket)) {
		t.Skipf("not checked: the handshake offers no upgrade to websocket (upgrades %q)", hs.Upgrades)
	}
	pending := t.pollUntil(t.ctx, sid, wire.PacketNoop)
	s := &session{t: t, tr: wire.WebSocket, sid: sid, w: t.mustDial(sid), dec: t.r.parser.NewDecoder(), pong: true}
	probe := []byte("probe")
	s.send(wire.Packet{Type: wire.PacketPing, Data: probe})
	p, err := s.next(0)
	if err != nil || p.Type != wire.PacketPong || string(p.Data) != string(probe) {
		<-pending
		t.Fatalf("the probe's answer: want a pong with the probe's data")
	}
	res := <-pending
	t.got = res.String()
	if !res.ended {
		t.Fatalf("the waiting GET: want it answered with a noop once the probe was answered")
	}
	s.send(wire.Packet{Type: wire.PacketUpgrade})
	// Something the server answers shows that it took the upgrade
	// packet before the next GET is made.
	s.alive("after the upgrade")
	rp := t.get(sid)
	t.wantStatus(rp, http.StatusBadRequest, "a GET after the upgrade")
	if code, _, ok := rp.errorCode(); ok && code != wire.CodeBadRequest {
		t.Notef("a GET after the upgrade: code %d, engine.io says %d (%s)", code, wire.CodeBadRequest, wire.CodeBadRequest.Message())
	}
}

func protoClose(t *T) {
	t.needs(wire.Polling)
	sid, _, _ := t.open()
	pending := t.pollUntil(t.ctx, sid, wire.PacketNoop, wire.PacketClose)
	t.sleep(suiteLag)
	close := wire.EncodePayload(nil, []wire.Packet{{Type: wire.PacketClose}}, t.v)
	rp := t.send(http.MethodPost, t.url(wire.Polling, sid), close)
	t.wantPosted(rp, "the close packet's POST")
	wait := time.NewTimer(t.r.cfg.Timeout / 2)
	defer wait.Stop()
	var res polled
	select {
	case res = <-pending:
	case <-wait.C:
		// Whether the session ended all the same is worth saying: a
		// heartbeat packet is refused by an ended session.
		p := wire.Packet{Type: wire.PacketPing}
		if t.v == wire.Version4 {
			p.Type = wire.PacketPong
		}
		probe := t.send(http.MethodPost, t.url(wire.Polling, sid), wire.EncodePayload(nil, []wire.Packet{p}, t.v))
		t.got = fmt.Sprintf("the waiting GET: nothing %v after the close; %s", t.r.cfg.Timeout/2, probe)
		if probe.err == nil && probe.status != http.StatusOK {
			t.Fatalf("the waiting GET was left unanswered, though the session ended (a POST after it is refused); want it ended with a noop (or a close packet)")
		}
		t.Fatalf("the session lives on after the close packet (a POST after it is taken)")
	}
	t.got = res.String()
	if !res.ended && !(res.last.err == nil && res.last.status == http.StatusBadRequest) {
		t.Fatalf("the waiting GET: want it ended (a noop or a close packet)")
	}
	if res.ended {
		t.Notef("the waiting GET ended with %s", res.packets[len(res.packets)-1])
	}
	t.wantError(t.get(sid), http.StatusBadRequest, wire.CodeUnknownSID, "a GET after the close")
}

// padded returns the Socket.IO events whose Engine.IO payloads over tr
// (a POST's body, or a frame) are the longest that is at most size bytes
// long and the shortest that is longer.
func (t *T) padded(tr wire.Transport, size int) (under, over []wire.Packet) {
	build := func(n int) ([]wire.Packet, int) {
		p := &codec.Packet{Type: codec.Event, Namespace: t.r.cfg.Namespace, Data: json.RawMessage(`["sio-conform-max-payload","` + strings.Repeat("x", n) + `"]`)}
		msgs, err := t.r.parser.Encode(p)
		if err != nil {
			t.Fatalf("encoding the event: %v", err)
		}
		ps := []wire.Packet{{Type: wire.PacketMessage, Data: msgs[0].Data, Binary: msgs[0].Binary}}
		return ps, sizeOn(tr, ps, t.v)
	}
	// The size grows with n, about linearly (base64 makes it 4/3): guess
	// from two small sizes, then search near the guess for the first n
	// whose size is over.
	_, s0 := build(0)
	_, s1 := build(1024)
	guess := int(float64(size-s0) * 1024 / float64(max(s1-s0, 1)))
	lo, hi := max(guess-256, 0), guess+256
	if _, sz := build(lo); sz > size {
		lo = 0
	}
	if _, sz := build(hi); sz <= size {
		hi = size + 1
	}
	for lo < hi {
		mid := (lo + hi) / 2
		if _, sz := build(mid); sz > size {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	under, _ = build(max(lo-1, 0))
	over, _ = build(lo)
	return under, over
}

// maxPayloadLimit is the largest maxPayload the checks send up to.
const maxPayloadLimit = 64 << 20

// maxPayload checks that the server takes a payload of maxPayload bytes
// over tr and refuses a larger one.
func maxPayload(tr wire.Transport) func(*T) {
	return func(t *T) {
		t.needs(tr)
		limit := t.r.hs.MaxPayload
		switch {
		case limit == 0:
			t.Skipf("not checked: the handshake announces no maxPayload")
		case limit > maxPayloadLimit:
			t.Skipf("not checked: maxPayload %d is over the %d bytes the check sends at most", limit, maxPayloadLimit)
		}
		under, over := t.padded(tr, limit)
		s := t.session(tr)
		s.connected()
		s.send(under...)
		t.sent = fmt.Sprintf("an event of %d bytes", sizeOn(tr, under, t.v))
		s.alive(fmt.Sprintf("after a payload of maxPayload (%d) bytes or less", limit))
		n := sizeOn(tr, over, t.v)
		if tr == wire.Polling {
			rp := t.send(http.MethodPost, t.url(wire.Polling, s.sid), wire.EncodePayload(nil, over, t.v))
			t.sent = fmt.Sprintf("POST of %d bytes", n)
			if rp.err == nil && rp.status == http.StatusOK {
				t.Fatalf("a POST of %d bytes, over maxPayload (%d), was taken", n, limit)
			}
			if rp.err == nil && rp.status != http.StatusRequestEntityTooLarge {
				t.Notef("over maxPayload: HTTP %d, engine.io answers 413", rp.status)
			}
			return
		}
		s.send(over...)
		t.sent = fmt.Sprintf("a frame of %d bytes", n)
		s.closed(fmt.Sprintf("after a frame of %d bytes, over maxPayload (%d)", n, limit))
		t.Notef("over maxPayload: %s", strings.TrimPrefix(t.got, "closed: "))
	}
}

// sizeOn is the size of packets on the wire over tr.
func sizeOn(tr wire.Transport, ps []wire.Packet, v wire.Version) int {
	if tr == wire.Polling {
		return len(wire.EncodePayload(nil, ps, v))
	}
	data, _ := wire.AppendFrame(nil, ps[0], v, false)
	return len(data)
}

// sioConnect checks the answer to a CONNECT in the protocol revision's
// format: protocol 5, an object holding the socket's sid, or a refusal
// with a message; protocol 4, no payload, or a refusal.
func (t *T) sioAnswer(p *codec.Packet, nsp string) {
	v5 := t.r.sio == codec.V5
	switch {
	case p.Type == codec.Connect && v5:
		var m map[string]json.RawMessage
		var sid string
		if json.Unmarshal(p.Data, &m) != nil || json.Unmarshal(m["sid"], &sid) != nil || sid == "" {
			t.Fatalf("the CONNECT answer: want an object holding the socket's sid")
		}
		if len(m) > 1 {
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			t.Notef("%s accepted with %s", nsp, strings.Join(keys, ", "))
		} else {
			t.Notef("%s accepted", nsp)
		}
	case p.Type == codec.Connect:
		if len(p.Data) > 0 {
			t.Fatalf("the CONNECT answer: protocol 4 has no payload here")
		}
		t.Notef("%s accepted", nsp)
	case v5:
		var m struct {
			Message *string `json:"message"`
		}
		if json.Unmarshal(p.Data, &m) != nil || m.Message == nil {
			t.Fatalf("the CONNECT_ERROR: want an object holding a message")
		}
		t.Notef("%s refused: %q", nsp, *m.Message)
	default:
		var s string
		var m map[string]any
		if json.Unmarshal(p.Data, &s) != nil && json.Unmarshal(p.Data, &m) != nil {
			t.Fatalf("the ERROR: want a string or an object")
		}
		t.Notef("%s refused: %s", nsp, p.Data)
	}
}

func sioConnectNamespace(t *T) {
	s := t.session(t.r.sioTransport())
	nsp := t.r.cfg.Namespace
	t.sioAnswer(s.connect(nsp), nsp)
}

func sioConnectRandom(t *T) {
	s := t.session(t.r.sioTransport())
	nsp := randomNamespace()
	t.sioAnswer(s.connect(nsp), nsp)
}

func sioBinaryEvent(t *T) {
	s := t.session(t.r.sioTransport())
	nsp := s.connected()
	s.emit(&codec.Packet{Type: codec.BinaryEvent, Namespace: nsp, Data: json.RawMessage(`["sio-conform-binary",{"_placeholder":true,"num":0}]`), Attachments: [][]byte{{1, 2, 3}}})
	s.alive("after a binary event")
}

func sioAckIDs(t *T) {
	s := t.session(t.r.sioTransport())
	nsp := s.connected()
	for _, id := range []uint64{0, 9876543} {
		s.emit(&codec.Packet{Type: codec.Event, Namespace: nsp, ID: id, HasID: true, Data: json.RawMessage(`["sio-conform-ack"]`)})
	}
	s.alive("after events asking for acks 0 and 9876543")
}

func sioNeedsHandler(t *T) {
	t.Skipf("not checked: needs an application handler; sio conform --suite socket.io checks echoes of events, binary attachments and acks against the suite's server")
}

func sioDisconnect(t *T) {
	s := t.session(t.r.sioTransport())
	nsp := s.connected()
	s.emit(&codec.Packet{Type: codec.Disconnect, Namespace: nsp})
	s.alive("after a DISCONNECT of " + nsp)
}

func sioEventFirst(t *T) {
	s := t.session(t.r.sioTransport())
	s.emit(&codec.Packet{Type: codec.Event, Data: json.RawMessage(`["sio-conform-early"]`)})
	s.closed("after an EVENT before any CONNECT")
}

func sioBadEvent(t *T) {
	if _, ok := t.r.parser.(codec.JSONParser); !ok {
		t.Skipf("not checked with this parser: the packet is JSON text")
	}
	s := t.session(t.r.sioTransport())
	nsp := s.connected()
	// An EVENT whose payload is an object: the codec would not write it.
	text := string('0'+byte(codec.Event)) + "{}"
	if nsp != codec.RootNamespace {
		text = string('0'+byte(codec.Event)) + nsp + ",{}"
	}
	s.send(wire.Packet{Type: wire.PacketMessage, Data: []byte(text)})
	s.closed("after an EVENT whose payload is not an array")
}
