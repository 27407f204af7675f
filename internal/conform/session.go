package conform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/websocket"

	"github.com/siocli/sio/pkg/codec"
	"github.com/siocli/sio/pkg/engineio/wire"
)

// session is an Engine.IO session a protocol check drives packet by
// packet, over polling or a WebSocket, with Socket.IO packets on top.
type session struct {
	t       *T
	tr      wire.Transport
	sid     string
	hs      wire.Handshake
	w       *ws
	pending []wire.Packet // read and not yet taken
	dec     codec.Decoder
	// pong answers the server's pings (Engine.IO 4) as they are read by
	// packet; next lets the check see them itself.
	pong bool
}

// sioTransport is the transport the Socket.IO checks use: WebSocket
// unless the options leave only polling.
func (r *runner) sioTransport() wire.Transport {
	if r.allows(wire.WebSocket) {
		return wire.WebSocket
	}
	return wire.Polling
}

// session opens a session over tr, failing the check when none opens.
func (t *T) session(tr wire.Transport) *session {
	s := &session{t: t, tr: tr, dec: t.r.parser.NewDecoder(), pong: true}
	if tr == wire.Polling {
		s.sid, s.hs, s.pending = t.open()
		return s
	}
	s.w = t.mustDial("")
	p, ok := s.w.next("the handshake").packet(t.v)
	if !ok || p.Binary || p.Type != wire.PacketOpen {
		t.Fatalf("the handshake: want an open packet, 0{...}")
	}
	hs, err := wire.ParseHandshake(p.Data)
	if err != nil {
		t.Fatalf("the handshake: %v", err)
	}
	s.sid, s.hs = hs.SID, hs
	return s
}

// send sends Engine.IO packets: one POST, or a frame each. A POST the
// server does not take fails the check.
func (s *session) send(ps ...wire.Packet) {
	t := s.t
	if s.tr == wire.Polling {
		rp := t.send(http.MethodPost, t.url(wire.Polling, s.sid), wire.EncodePayload(nil, ps, t.v))
		t.wantPosted(rp, "the POST")
		return
	}
	shown := make([]string, len(ps))
	for i, p := range ps {
		data, binary := wire.AppendFrame(nil, p, t.v, false)
		shown[i] = show(data, binary)
		typ := websocket.TextMessage
		if binary {
			typ = websocket.BinaryMessage
		}
		s.w.write(typ, data)
	}
	t.setSent("%s", strings.Join(shown, " + "))
}

// next returns the next Engine.IO packet from the server within d (0:
// the check's deadline), or errClosed when the session ended (a close
// packet, a refused GET, a closed WebSocket) or errSilent.
func (s *session) next(d time.Duration) (wire.Packet, error) {
	t := s.t
	if len(s.pending) > 0 {
		p := s.pending[0]
		s.pending = s.pending[1:]
		t.got = show(wire.AppendText(nil, p, t.v), false)
		return s.ended(p)
	}
	if s.tr == wire.WebSocket {
		f, err := s.w.nextWithin(d)
		if err != nil {
			return wire.Packet{}, err
		}
		p, err := wire.DecodeFrame(f.data, f.binary, t.v)
		if err != nil {
			t.Fatalf("a frame that is not an Engine.IO %d packet: %v", t.v, err)
		}
		return s.ended(p)
	}
	ctx := t.ctx
	if d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	rp := t.doCtx(ctx, http.MethodGet, t.url(wire.Polling, s.sid), nil)
	t.got = "GET: " + rp.String()
	switch {
	case rp.err != nil:
		return wire.Packet{}, errSilent
	case rp.status != http.StatusOK:
		return wire.Packet{}, errClosed
	}
	s.pending = t.decode(rp, "the GET")
	return s.next(d)
}

// wantPosted fails the check unless a POST was taken (200); a body other
// than the protocol's "ok" is said, and checked by post/ok alone: clients
// do not read it.
func (t *T) wantPosted(rp reply, what string) {
	t.wantStatus(rp, http.StatusOK, what)
	if string(rp.body) != "ok" && !strings.Contains(t.note, "POSTs answered") {
		t.Notef("POSTs answered %s, not ok", show(rp.body, rp.binary()))
	}
}

// ended turns a close packet into errClosed.
func (s *session) ended(p wire.Packet) (wire.Packet, error) {
	if p.Type == wire.PacketClose {
		return p, errClosed
	}
	return p, nil
}

// emit sends a Socket.IO packet, encoded by the run's parser.
func (s *session) emit(p *codec.Packet) {
	msgs, err := s.t.r.parser.Encode(p)
	if err != nil {
		s.t.Fatalf("encoding %s: %v", p, err)
	}
	ps := make([]wire.Packet, len(msgs))
	for i, m := range msgs {
		ps[i] = wire.Packet{Type: wire.PacketMessage, Data: m.Data, Binary: m.Binary}
	}
	s.send(ps...)
}

// packet returns the next Socket.IO packet within d (0: the check's
// deadline), answering pings meanwhile; a message that does not decode
// fails the check.
func (s *session) packet(d time.Duration) (*codec.Packet, error) {
	t := s.t
	var deadline time.Time
	if d > 0 {
		deadline = time.Now().Add(d)
	}
	for {
		left := time.Duration(0)
		if d > 0 {
			if left = time.Until(deadline); left <= 0 {
				t.got = fmt.Sprintf("nothing within %v", d)
				return nil, errSilent
			}
		}
		p, err := s.next(left)
		if err != nil {
			return nil, err
		}
		switch p.Type {
		case wire.PacketPing:
			if s.pong && t.v == wire.Version4 {
				sent := t.sent
				s.send(wire.Packet{Type: wire.PacketPong, Data: p.Data})
				t.sent = sent
			}
			continue
		case wire.PacketMessage:
		default:
			continue
		}
		sp, err := s.dec.Decode(codec.Message{Data: p.Data, Binary: p.Binary})
		if err != nil {
			t.Fatalf("a message that is not a Socket.IO %s packet: %v", t.r.sio, err)
		}
		if sp == nil {
			continue // more attachments to come
		}
		return sp, nil
	}
}

// auth returns the CONNECT payload: --auth, or --auth-cmd's output.
func (s *session) auth() json.RawMessage {
	cfg := &s.t.r.cfg
	if cfg.AuthFunc != nil {
		a, err := cfg.AuthFunc(s.t.ctx)
		if err != nil {
			s.t.Fatalf("the auth payload: %v", err)
		}
		return a
	}
	return cfg.Auth
}

// connect connects to nsp as the protocol revision has it (in revision
// 4 the server connects / of itself) and returns the server's answer:
// a CONNECT or a CONNECT_ERROR of that namespace.
func (s *session) connect(nsp string) *codec.Packet {
	t := s.t
	if t.r.sio == codec.V5 {
		s.emit(&codec.Packet{Type: codec.Connect, Namespace: nsp, Data: s.auth()})
	} else if nsp != codec.RootNamespace {
		name := nsp
		if q := t.r.cfg.Query; len(q) > 0 {
			name += "?" + q.Encode()
		}
		s.emit(&codec.Packet{Type: codec.Connect, Namespace: name})
	} else {
		t.setSent("nothing: a server of protocol 4 connects / of itself")
	}
	for {
		p, err := s.packet(0)
		if err != nil {
			t.Fatalf("no answer to the CONNECT of %s: %v", nsp, err)
		}
		if (p.Type == codec.Connect || p.Type == codec.ConnectError) && p.Nsp() == nsp {
			return p
		}
	}
}

// connected connects to the namespace the options name; a refusal skips
// the check, which needs a connection.
func (s *session) connected() string {
	nsp := s.t.r.cfg.Namespace
	if p := s.connect(nsp); p.Type == codec.ConnectError {
		s.t.Skipf("not checked: the server refused the namespace %s (%s); give what it wants with --auth or --query", nsp, p.Data)
	}
	return nsp
}

// alive checks that the session still lives: Engine.IO 3 answers a ping,
// a server of protocol 5 answers a CONNECT to a namespace of no
// application (with a refusal, as often as not).
func (s *session) alive(after string) {
	t := s.t
	if t.v == wire.Version3 {
		s.send(wire.Packet{Type: wire.PacketPing, Data: []byte("conform")})
		for {
			p, err := s.next(0)
			if err != nil {
				t.Fatalf("%s, the session ended: a ping got no pong", after)
			}
			if p.Type == wire.PacketPong {
				return
			}
		}
	}
	nsp := randomNamespace()
	s.emit(&codec.Packet{Type: codec.Connect, Namespace: nsp})
	for {
		p, err := s.packet(0)
		if err != nil {
			t.Fatalf("%s, the session ended: a CONNECT got no answer", after)
		}
		if (p.Type == codec.Connect || p.Type == codec.ConnectError) && p.Nsp() == nsp {
			return
		}
	}
}

// closed waits for the session to end within the check's time,
// answering pings so that the end cannot be the heartbeat's, and fails
// the check if it does not.
func (s *session) closed(after string) {
	t := s.t
	for {
		p, err := s.next(0)
		if errors.Is(err, errClosed) {
			return
		}
		if err != nil {
			t.Fatalf("%s, the server kept the connection open (pings answered) for %s (%v)", after, t.limit, t.budget)
		}
		if p.Type == wire.PacketPing && s.pong && t.v == wire.Version4 {
			sent := t.sent
			s.send(wire.Packet{Type: wire.PacketPong, Data: p.Data})
			t.sent = sent
		}
	}
}

// randomNamespace names a namespace no application has.
func randomNamespace() string {
	return fmt.Sprintf("/sio-conform-%06d", rand.IntN(1_000_000))
}
