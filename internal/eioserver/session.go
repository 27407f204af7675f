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

	mu           sync.Mutex
	transport    wire.Transport
	queue        []wire.Packet
	wake         chan struct{} // signalled when queue or state changes
	polling      bool          // a GET is waiting
	upgrading    bool          // a probe was answered; polling gets noops
	probing      bool          // a WebSocket is probing
	ws           *wsTransport
	probeWS      *wsTransport // the WebSocket being probed
	state        state
	done         chan struct{}
	heartbeat    *time.Timer
	awaitingPong bool
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
func (s *Session) Close() {
	s.mu.Lock()
	if s.state != stateOpen {
		s.mu.Unlock()
		return
	}
	s.state = stateClosing
	s.queue = append(s.queue, wire.Packet{Type: wire.PacketClose})
	s.signalLocked()
	s.mu.Unlock()
	time.AfterFunc(time.Second, func() { s.end(wire.ReasonForcedClose, nil) })
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

// end ends the session once: it stops its timers and transports, forgets
// it, and tells the Handler.
func (s *Session) end(reason wire.CloseReason, err error) {
	s.endOnce.Do(func() {
		s.mu.Lock()
		s.state = stateClosed
		if s.heartbeat != nil {
			s.heartbeat.Stop()
		}
		ws, probe := s.ws, s.probeWS
		close(s.done)
		s.mu.Unlock()
		for _, t := range []*wsTransport{ws, probe} {
			if t != nil {
				t.close()
			}
		}
		s.srv.remove(s)
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
	d := o.PingInterval
	if s.version == wire.Version3 {
		d += o.PingTimeout
	}
	s.heartbeat = time.AfterFunc(d, s.heartbeatFired)
}

func (s *Session) heartbeatFired() {
	s.mu.Lock()
	if s.state == stateClosed {
		s.mu.Unlock()
		return
	}
	if s.version == wire.Version4 && !s.awaitingPong {
		s.awaitingPong = true
		s.queue = append(s.queue, wire.Packet{Type: wire.PacketPing})
		s.signalLocked()
		s.heartbeat.Reset(s.srv.opts.PingTimeout)
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
		if s.version == wire.Version3 {
			// engine.io 3.x re-arms its deadline on any packet.
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
			if s.version == wire.Version4 && s.awaitingPong {
				s.awaitingPong = false
				s.heartbeat.Reset(o.PingInterval)
			}
		case wire.PacketClose:
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
// something to be; a GET during an upgrade gets a noop so that the client
// can finish it.
func (s *Session) servePoll(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
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
	for len(s.queue) == 0 && s.state != stateClosed && !s.upgrading {
		s.mu.Unlock()
		select {
		case <-s.wake:
		case <-s.done:
		case <-r.Context().Done():
			s.end(wire.ReasonTransportClose, errors.New("the client closed a waiting polling GET"))
			return
		}
		s.mu.Lock()
	}
	packets := s.queue
	s.queue = nil
	s.polling = false
	closed := s.state == stateClosed
	s.mu.Unlock()
	switch {
	case len(packets) > 0:
	case closed:
		packets = []wire.Packet{{Type: wire.PacketClose}}
	default:
		packets = []wire.Packet{{Type: wire.PacketNoop}}
	}
	s.writePayload(w, r, packets)
	if packets[len(packets)-1].Type == wire.PacketClose {
		s.end(wire.ReasonForcedClose, nil)
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
	if t := s.Transport(); t != wire.Polling {
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
