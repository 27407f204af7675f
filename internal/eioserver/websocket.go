package eioserver

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/siocli/sio/pkg/engineio/wire"
)

// wsTransport is a session's WebSocket. One goroutine writes to it at a
// time: the probe, then the session's writer.
type wsTransport struct {
	conn *websocket.Conn
	once sync.Once
}

// closeFrameTimeout bounds the wait to send a close frame to a client that
// does not read.
const closeFrameTimeout = 200 * time.Millisecond

// close sends a close frame with code and text, then closes the
// connection, once. (gorilla's WriteControl may be called while another
// goroutine writes.)
func (t *wsTransport) close(code int, text string) {
	t.once.Do(func() {
		t.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(closeFrameTimeout))
		t.conn.Close()
	})
}

// closeCode is the close frame's code for a session that ended for reason.
func closeCode(reason wire.CloseReason) int {
	switch reason {
	case wire.ReasonParseError, wire.ReasonInvalidHeartbeat:
		return websocket.CloseProtocolError
	case wire.ReasonServerShutdown:
		return websocket.CloseGoingAway
	}
	return websocket.CloseNormalClosure
}

// serveWebSocket opens a WebSocket session (sid empty) or probes one to
// upgrade a polling session to.
func (srv *Server) serveWebSocket(w http.ResponseWriter, r *http.Request, v wire.Version, sid string) {
	var s *Session
	if sid != "" {
		s = srv.lookup(sid)
		if s == nil || s.ended() {
			writeError(w, wire.CodeUnknownSID, "")
			return
		}
		if s.version != v {
			writeError(w, wire.CodeBadRequest, fmt.Sprintf("the upgrade asks for EIO=%s, the session is EIO=%d", r.URL.Query().Get(wire.QueryEIO), s.version))
			return
		}
		if srv.opts.NoUpgrades {
			writeError(w, wire.CodeBadRequest, "upgrades are off")
			return
		}
		s.mu.Lock()
		ok := s.transport == wire.Polling && !s.probing && s.state == stateOpen
		if ok {
			s.probing = true
		}
		s.mu.Unlock()
		if !ok {
			// As engine.io: the WebSocket opens, and closes at once.
			if conn, err := srv.upgrader.Upgrade(w, r, nil); err == nil {
				(&wsTransport{conn: conn}).close(websocket.ClosePolicyViolation, "the session is already upgrading or upgraded")
			}
			return
		}
	}
	var header http.Header
	id := ""
	if s == nil {
		id = NewID()
		if c := srv.cookie(id); c != nil {
			header = http.Header{"Set-Cookie": {c.String()}}
		}
	}
	conn, err := srv.upgrader.Upgrade(w, r, header)
	if err != nil {
		if s != nil {
			s.mu.Lock()
			s.probing = false
			s.mu.Unlock()
		}
		return // the upgrader has answered
	}
	conn.SetReadLimit(int64(srv.opts.MaxPayload))
	ws := &wsTransport{conn: conn}
	if !srv.track() {
		ws.close(websocket.CloseGoingAway, string(wire.ReasonServerShutdown))
		return
	}
	defer srv.wg.Done()
	if s == nil {
		if s = srv.open(r, v, wire.WebSocket, id); s == nil {
			ws.close(websocket.CloseGoingAway, string(wire.ReasonServerShutdown))
			return
		}
		s.mu.Lock()
		s.ws = ws
		s.mu.Unlock()
	} else {
		s.mu.Lock()
		s.probeWS = ws
		closed := s.state == stateClosed
		s.mu.Unlock()
		if closed || !s.probe(ws) {
			ws.close(websocket.CloseNormalClosure, "")
			return
		}
	}
	hold := time.Duration(0)
	if sid == "" {
		hold = srv.opts.OpenDelay
	}
	srv.wg.Add(1)
	go func() {
		defer srv.wg.Done()
		if hold > 0 {
			t := time.NewTimer(hold)
			select {
			case <-t.C:
			case <-s.done:
				t.Stop()
			}
		}
		s.writeLoop(ws)
	}()
	s.readLoop(ws)
}

// probe runs the upgrade on ws: the client's ping "probe" is answered with
// a pong "probe", polling is told to finish with noops, and the client's
// upgrade packet moves the session to ws. It reports whether it did.
func (s *Session) probe(ws *wsTransport) bool {
	fail := func(code int, why string) bool {
		ws.close(code, why)
		s.mu.Lock()
		s.probing, s.upgrading, s.probeWS = false, false, nil
		s.mu.Unlock()
		return false
	}
	deadline := time.Now().Add(s.srv.opts.UpgradeTimeout)
	ws.conn.SetReadDeadline(deadline)
	for {
		typ, data, err := ws.conn.ReadMessage()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return fail(websocket.CloseNormalClosure, "the upgrade did not finish in time")
			}
			return fail(websocket.CloseNormalClosure, "")
		}
		p, err := wire.DecodeFrame(data, typ == websocket.BinaryMessage, s.version)
		if err != nil {
			return fail(websocket.CloseProtocolError, string(wire.ReasonParseError))
		}
		switch {
		case p.Type == wire.PacketPing && string(p.Data) == "probe":
			// Upgrading from before the answer: a GET the client sends
			// once it has the answer must find the session so (see
			// servePoll); the GET waiting is woken after it.
			s.mu.Lock()
			s.upgrading = true
			s.mu.Unlock()
			frame, _ := wire.AppendFrame(nil, wire.Packet{Type: wire.PacketPong, Data: p.Data}, s.version, false)
			ws.conn.SetWriteDeadline(deadline)
			if ws.conn.WriteMessage(websocket.TextMessage, frame) != nil {
				return fail(websocket.CloseNormalClosure, "")
			}
			ws.conn.SetWriteDeadline(time.Time{})
			s.mu.Lock()
			s.signalLocked()
			s.mu.Unlock()
		case p.Type == wire.PacketUpgrade:
			s.mu.Lock()
			if !s.upgrading || s.state == stateClosed {
				s.mu.Unlock()
				return fail(websocket.CloseProtocolError, "an upgrade packet before the probe")
			}
			s.transport, s.ws, s.probeWS = wire.WebSocket, ws, nil
			s.upgrading, s.probing = false, false
			s.signalLocked()
			s.mu.Unlock()
			ws.conn.SetReadDeadline(time.Time{})
			if h := s.srv.h.Upgrade; h != nil {
				s.inMu.Lock()
				h(s)
				s.inMu.Unlock()
			}
			return true
		case p.Type == wire.PacketNoop:
		default:
			return fail(websocket.CloseProtocolError, "a packet other than the probe's before the upgrade")
		}
	}
}

// readLoop reads the session's frames until the WebSocket fails.
func (s *Session) readLoop(ws *wsTransport) {
	for {
		typ, data, err := ws.conn.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			switch {
			case errors.As(err, &ce) && ce.Code == websocket.CloseMessageTooBig,
				errors.Is(err, websocket.ErrReadLimit):
				s.end(wire.ReasonTransportError, fmt.Errorf("a message of more than %d bytes (--max-payload)", s.srv.opts.MaxPayload))
			case errors.As(err, &ce), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
				s.end(wire.ReasonTransportClose, nil)
			default:
				s.end(wire.ReasonTransportError, err)
			}
			return
		}
		p, err := wire.DecodeFrame(data, typ == websocket.BinaryMessage, s.version)
		if err != nil {
			s.end(wire.ReasonParseError, fmt.Errorf("frame %q: %w", truncate(data), err))
			return
		}
		s.receive([]wire.Packet{p})
	}
}

// writeLoop sends what is queued over ws until the session ends.
func (s *Session) writeLoop(ws *wsTransport) {
	var buf []byte
	writeTimeout := s.srv.opts.PingInterval + s.srv.opts.PingTimeout
	for {
		s.mu.Lock()
		for len(s.queue) == 0 && s.state != stateClosed {
			s.mu.Unlock()
			select {
			case <-s.wake:
			case <-s.done:
			}
			s.mu.Lock()
		}
		packets := s.queue
		s.queue = nil
		s.mu.Unlock()
		if len(packets) == 0 {
			return // end has closed ws
		}
		for _, p := range packets {
			var binary bool
			buf, binary = wire.AppendFrame(buf[:0], p, s.version, s.b64)
			typ := websocket.TextMessage
			if binary {
				typ = websocket.BinaryMessage
			}
			ws.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
			if s.srv.opts.PerMessageDeflate {
				ws.conn.EnableWriteCompression(len(buf) >= s.srv.opts.PerMessageDeflateThreshold)
			}
			if err := ws.conn.WriteMessage(typ, buf); err != nil {
				s.end(wire.ReasonTransportError, err)
				return
			}
			if p.Type == wire.PacketClose {
				s.closeSent()
				return
			}
		}
	}
}
