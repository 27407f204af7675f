package eioserver

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/siocli/sio/pkg/engineio/wire"
)

// ErrClosed is returned by Send on a session that has ended.
var ErrClosed = errors.New("eioserver: session closed")

// queueLimit is how many packets may wait for a client that does not read
// before the session is ended rather than let memory grow.
const queueLimit = 1 << 16

// crossing is how long a request may trail another that its client sent
// before it on another connection: each connection is read by a goroutine
// of its own, so the two reach the session in either order. A GET that
// comes after the upgrade's probe was answered waits this long for the
// upgrade packet the WebSocket may be bringing (engine.io, too, answers
// such a GET only at its next noop tick, within 100 ms), and a session
// the client closed over polling keeps this long the noop owed to a GET
// that crossed the close.
const crossing = 100 * time.Millisecond

type state int

const (
	stateOpen    state = iota
	stateClosing       // a close packet is queued
	stateClosed
)

// Session is one client's Engine.IO session. Its methods are safe for
// concurrent use.
type Session struct {
	id        string
	version   wire.Version
	remote    string
	query     url.Values
	b64       bool
	handshake Handshake
	srv       *Server

	inMu sync.Mutex // held while the Handler is called, to keep order

	mu        sync.Mutex
	transport wire.Transport
	queue     []wire.Packet
	wake      chan struct{} // signalled when queue or state changes
	polling   bool          // a GET is waiting
	upgrading bool          // a probe is answered: polling gets noops
	probing   bool          // a WebSocket is probing
	ws        *wsTransport
	probeWS   *wsTransport // the WebSocket being probed
	state     state
	done      chan struct{}
	heartbeat *time.Timer
	// due is when the client's next heartbeat packet must be in: in
	// Engine.IO 4 the pong to the ping sent at due-PingTimeout, in 3 its
	// next ping. From then on the session is over, whether or not its
	// timer has fired.
	due    time.Time
	pinged bool // Engine.IO 4: a ping is out and its pong is not in
	// closeReason and closeErr are what CloseFor tells the Handler once
	// the close packet is out.
	closeReason wire.CloseReason
	closeErr    error
	// clientClosed: the client's close packet ended the session, and a
	// GET is answered with a noop, as engine.io answers it. noopOwed: no
	// GET waited then, and the first within crossing gets that noop.
	clientClosed bool
	noopOwed     bool
	endOnce      sync.Once
}

// Handshake is the HTTP request that opened a session.
type Handshake struct {
	Header http.Header
	URL    string // path and query
	Secure bool   // over TLS
	Time   time.Time
}

// Handshake returns the request that opened the session.
func (s *Session) Handshake() Handshake { return s.handshake }

// ID returns the session id.
func (s *Session) ID() string { return s.id }

// Version returns the session's Engine.IO version.
func (s *Session) Version() wire.Version { return s.version }

// RemoteAddr returns the address the handshake came from.
func (s *Session) RemoteAddr() string { return s.remote }

// Query returns the handshake request's query parameters.
func (s *Session) Query() url.Values { return s.query }

// Transport returns the transport now carrying the session.
func (s *Session) Transport() wire.Transport {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.transport
}

// Send queues messages to go out together, in order, with nothing between
// them (a Socket.IO packet and its attachments).
func (s *Session) Send(msgs ...wire.Message) error {
	s.mu.Lock()
	if s.state != stateOpen {
		s.mu.Unlock()
		return ErrClosed
	}
	if len(s.queue)+len(msgs) > queueLimit {
		s.mu.Unlock()
		s.end(wire.ReasonTransportError, fmt.Errorf("the client reads too slowly: %d packets wait", len(s.queue)))
		return ErrClosed
	}
	for _, m := range msgs {
		s.queue = append(s.queue, wire.Packet{Type: wire.PacketMessage, Data: m.Data, Binary: m.Binary})
	}
	s.signalLocked()
	s.mu.Unlock()
	return nil
}

// Close ends the session from the server's side: the client is sent a
// close packet, and the session ends once it is out (or after a second).
func (s *Session) Close() { s.CloseFor(wire.ReasonForcedClose, nil) }

// CloseFor is Close telling the Handler reason and err, for a client that
// broke the rules of the layer above (socket.io closes the session so on a
// packet it cannot decode). Over polling with no GET waiting and nothing
// queued, the next GET gets a noop and the close, as engine.io sends them.
func (s *Session) CloseFor(reason wire.CloseReason, err error) {
	s.mu.Lock()
	if s.state != stateOpen {
		s.mu.Unlock()
		return
	}
	s.state = stateClosing
	s.closeReason, s.closeErr = reason, err
	if s.transport == wire.Polling && !s.polling && len(s.queue) == 0 {
		s.queue = append(s.queue, wire.Packet{Type: wire.PacketNoop})
	}
	s.queue = append(s.queue, wire.Packet{Type: wire.PacketClose})
	s.signalLocked()
	s.mu.Unlock()
	time.AfterFunc(time.Second, func() { s.end(reason, err) })
}

// closeSent ends the session once its close packet is out.
func (s *Session) closeSent() {
	s.mu.Lock()
	reason, err := s.closeReason, s.closeErr
	s.mu.Unlock()
	if reason == "" {
		reason = wire.ReasonForcedClose
	}
	s.end(reason, err)
}

// ended reports whether the session is over.
func (s *Session) ended() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state == stateClosed
}

// overdue reports whether the session is still open at now though the
// client's heartbeat was due. (A closing session ends by its close.)
func (s *Session) overdue(now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state == stateOpen && !now.Before(s.due)
}

func (s *Session) signalLocked() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// End ends the session at once, without a close packet, as the reference
// server does on a protocol violation; reason and err go to the Handler.
func (s *Session) End(reason wire.CloseReason, err error) { s.end(reason, err) }

// end ends the session once: it stops its timers, closes its WebSockets
// with a close frame, forgets it, and tells the Handler.
func (s *Session) end(reason wire.CloseReason, err error) {
	s.endOnce.Do(func() {
		s.mu.Lock()
		s.state = stateClosed
		if s.heartbeat != nil {
			s.heartbeat.Stop()
		}
		ws, probe := s.ws, s.probeWS
		s.noopOwed = s.clientClosed && s.transport == wire.Polling && !s.polling
		linger := s.noopOwed
		close(s.done)
		s.mu.Unlock()
		code := closeCode(reason)
		for _, t := range []*wsTransport{ws, probe} {
			if t != nil {
				t.close(code, string(reason))
			}
		}
		if linger {
			time.AfterFunc(crossing, func() { s.srv.remove(s) })
		} else {
			s.srv.remove(s)
		}
		if h := s.srv.h.Close; h != nil {
			h(s, reason, err)
		}
	})
}

// startHeartbeat arms the heartbeat: in Engine.IO 4 the server pings every
// PingInterval and wants a pong within PingTimeout; in 3 the client pings
// and the server wants any packet within PingInterval+PingTimeout.
func (s *Session) startHeartbeat() {
	o := s.srv.opts
	s.mu.Lock()
	defer s.mu.Unlock()
	s.due = time.Now().Add(o.PingInterval + o.PingTimeout)
	d := o.PingInterval
	if s.version == wire.Version3 {
		d += o.PingTimeout
	}
	s.heartbeat = time.AfterFunc(d, s.heartbeatFired)
}

// heartbeatFired pings (Engine.IO 4) or ends the session once it is due.
// The timer is re-armed for what is left until s.due, never for a whole
// PingTimeout from whenever it fired, so its own lateness does not add up.
func (s *Session) heartbeatFired() {
	s.mu.Lock()
	if s.state != stateOpen {
		s.mu.Unlock()
		return // ended, or ending by its close
	}
	if left := time.Until(s.due); left > 0 {
		if s.version == wire.Version4 && !s.pinged {
			s.pinged = true
			s.queue = append(s.queue, wire.Packet{Type: wire.PacketPing})
			s.signalLocked()
		}
		s.heartbeat.Reset(left)
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	s.end(wire.ReasonPingTimeout, nil)
}

// receive handles packets from the client, in order.
func (s *Session) receive(packets []wire.Packet) {
	s.inMu.Lock()
	defer s.inMu.Unlock()
	o := s.srv.opts
	for _, p := range packets {
		s.mu.Lock()
		if s.state == stateClosed {
			s.mu.Unlock()
			return
		}
		if s.state == stateClosing && p.Type != wire.PacketClose {
			s.mu.Unlock()
			continue // a closing session takes only the client's close
		}
		now := time.Now()
		if !now.Before(s.due) {
			s.mu.Unlock()
			s.end(wire.ReasonPingTimeout, nil)
			return
		}
		if s.version == wire.Version3 {
			// engine.io 3.x re-arms its deadline on any packet.
			s.due = now.Add(o.PingInterval + o.PingTimeout)
			s.heartbeat.Reset(o.PingInterval + o.PingTimeout)
		}
		switch p.Type {
		case wire.PacketPing:
			if s.version == wire.Version4 {
				s.mu.Unlock()
				s.end(wire.ReasonInvalidHeartbeat, errors.New("the client sent a ping; in Engine.IO 4 the server pings"))
				return
			}
			s.queue = append(s.queue, wire.Packet{Type: wire.PacketPong, Data: p.Data})
			s.signalLocked()
		case wire.PacketPong:
			if s.version == wire.Version4 && s.pinged {
				s.pinged = false
				s.due = now.Add(o.PingInterval + o.PingTimeout)
				s.heartbeat.Reset(o.PingInterval)
			}
		case wire.PacketClose:
			s.clientClosed = true
			s.mu.Unlock()
			s.end(wire.ReasonTransportClose, nil)
			return
		}
		s.mu.Unlock()
		if p.Type == wire.PacketMessage && s.srv.h.Message != nil {
			s.srv.h.Message(s, wire.Message{Data: p.Data, Binary: p.Binary})
		}
	}
}

// servePoll answers a polling GET with what is queued, waiting for
// something to be. A GET waiting when the upgrade's probe is answered gets
// a noop so that the client can finish the upgrade; one that comes after
// waits up to crossing for the upgrade packet, and is refused if it comes.
// When the client's close packet ended the session, the GET gets a noop.
func (s *Session) servePoll(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.state == stateClosed {
		owed := s.noopOwed
		s.noopOwed = false
		s.mu.Unlock()
		if !owed {
			writeError(w, wire.CodeUnknownSID, "")
			return
		}
		s.srv.remove(s)
		s.writePayload(w, r, []wire.Packet{{Type: wire.PacketNoop}})
		return
	}
	if s.transport != wire.Polling {
		s.mu.Unlock()
		writeError(w, wire.CodeBadRequest, "the session has moved to "+string(s.transport))
		return
	}
	if s.polling {
		s.mu.Unlock()
		writeError(w, wire.CodeBadRequest, "overlapping polling GET")
		s.end(wire.ReasonTransportError, errors.New("the client sent a second polling GET while one was waiting"))
		return
	}
	s.polling = true
	var late <-chan time.Time // set while a GET that came mid-upgrade waits
	if s.upgrading {
		t := time.NewTimer(crossing)
		defer t.Stop()
		late = t.C
	}
	for len(s.queue) == 0 && s.state != stateClosed && s.transport == wire.Polling && !(s.upgrading && late == nil) {
		if !s.upgrading {
			late = nil // the probe failed: an ordinary poll again
		}
		s.mu.Unlock()
		select {
		case <-s.wake:
		case <-s.done:
		case <-late:
			late = nil
		case <-r.Context().Done():
			s.end(wire.ReasonTransportClose, errors.New("the client closed a waiting polling GET"))
			return
		}
		s.mu.Lock()
	}
	s.polling = false
	if t := s.transport; t != wire.Polling {
		s.mu.Unlock()
		writeError(w, wire.CodeBadRequest, "the session has moved to "+string(t))
		return
	}
	packets := s.queue
	s.queue = nil
	closed, byClient := s.state == stateClosed, s.clientClosed
	s.mu.Unlock()
	switch {
	case closed && byClient:
		packets = []wire.Packet{{Type: wire.PacketNoop}}
	case len(packets) > 0:
	case closed:
		packets = []wire.Packet{{Type: wire.PacketClose}}
	default:
		packets = []wire.Packet{{Type: wire.PacketNoop}}
	}
	s.writePayload(w, r, packets)
	if packets[len(packets)-1].Type == wire.PacketClose {
		s.closeSent()
	}
}

// writePayload writes packets as a polling response: text, or for an
// Engine.IO 3 client that did not ask for base64, the binary payload when
// a packet is binary.
func (s *Session) writePayload(w http.ResponseWriter, r *http.Request, packets []wire.Packet) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	binary := false
	if s.version == wire.Version3 && !s.b64 {
		for _, p := range packets {
			binary = binary || p.Binary
		}
	}
	var body []byte
	if binary {
		h.Set("Content-Type", "application/octet-stream")
		body = wire.EncodeBinaryPayload(nil, packets)
	} else {
		h.Set("Content-Type", "text/plain; charset=UTF-8")
		body = wire.EncodePayload(nil, packets, s.version)
	}
	if o := s.srv.opts; o.HTTPCompression && len(body) >= o.HTTPCompressionThreshold && acceptsGzip(r) {
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(body)
		zw.Close()
		h.Set("Content-Encoding", "gzip")
		h.Add("Vary", "Accept-Encoding")
		body = z.Bytes()
	}
	w.Write(body)
}

// acceptsGzip says whether a request takes a gzip-encoded response.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

// servePost reads the packets of a polling POST.
func (s *Session) servePost(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	t, closed := s.transport, s.state == stateClosed
	s.mu.Unlock()
	if closed {
		writeError(w, wire.CodeUnknownSID, "")
		return
	}
	if t != wire.Polling {
		writeError(w, wire.CodeBadRequest, "the session has moved to "+string(t))
		return
	}
	limit := int64(s.srv.opts.MaxPayload)
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		s.end(wire.ReasonTransportError, err)
		return
	}
	if int64(len(body)) > limit {
		http.Error(w, "Payload Too Large", http.StatusRequestEntityTooLarge)
		s.end(wire.ReasonTransportError, fmt.Errorf("a POST of more than %d bytes (--max-payload)", limit))
		return
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	binary := ct == "application/octet-stream"
	if binary && s.version == wire.Version4 {
		writeError(w, wire.CodeBadRequest, "binary POST body")
		s.end(wire.ReasonParseError, errors.New("an application/octet-stream POST, which Engine.IO 4 does not use"))
		return
	}
	packets, err := wire.DecodePayload(body, s.version, binary)
	if err != nil {
		writeError(w, wire.CodeBadRequest, "malformed payload")
		s.end(wire.ReasonParseError, fmt.Errorf("POST body %q: %w", truncate(body), err))
		return
	}
	s.receive(packets)
	w.Header().Set("Content-Type", "text/html")
	w.Write([]byte("ok"))
}

// truncate shortens what a client sent for an error message.
func truncate(b []byte) []byte {
	if len(b) > 64 {
		return append(b[:64:64], "…"...)
	}
	return b
}
