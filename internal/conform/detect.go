package conform

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/siocli/sio/pkg/engineio/wire"
)

// allows says whether the connection options allow transport tr.
func (r *runner) allows(tr wire.Transport) bool {
	ts := r.cfg.Engine.Transports
	return len(ts) == 0 || slices.Contains(ts, tr)
}

// detect opens a first session to find out the Engine.IO version the
// server speaks (unless one was given) and what its handshake says: over
// polling, Engine.IO 4 then 3, as the client does; over WebSocket alone,
// by the handshake's maxPayload (only Engine.IO 4 servers send it) or
// else a ping, which only an Engine.IO 3 server answers.
func (r *runner) detect(ctx context.Context) error {
	limit, name := r.cfg.Engine.ConnectTimeout, "the connect timeout"
	if limit <= 0 {
		limit, name = r.cfg.Timeout, "the timeout"
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	t := &T{ctx: ctx, r: r, budget: limit, limit: name}
	t.client, t.jar = r.httpClient()
	defer t.client.CloseIdleConnections()
	defer t.cleanup()
	forced := r.cfg.Engine.Version
	var errs []error
	if r.allows(wire.Polling) {
		err := r.detectPolling(t, forced)
		if err == nil {
			return nil
		}
		var ne *netError
		if errors.As(err, &ne) {
			return err // nothing will answer over WebSocket either
		}
		errs = append(errs, err)
	}
	if r.allows(wire.WebSocket) {
		err := r.detectWebSocket(t, forced)
		if err == nil {
			return nil
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return errNoSession
	}
	return joined(errs)
}

// joinedError is several errors said on one line.
type joinedError []error

func joined(errs []error) error { return joinedError(errs) }

func (e joinedError) Error() string {
	s := make([]string, len(e))
	for i, err := range e {
		s[i] = err.Error()
	}
	return strings.Join(s, "; ")
}

func (e joinedError) Unwrap() []error { return e }

// netError is a request that got no HTTP answer.
type netError struct{ err error }

func (e *netError) Error() string { return e.err.Error() }
func (e *netError) Unwrap() error { return e.err }

func (r *runner) detectPolling(t *T, forced wire.Version) error {
	t.v = forced
	if t.v == wire.VersionAuto {
		t.v = wire.Version4
	}
	u := t.url(wire.Polling, "")
	rp := t.do(http.MethodGet, u, nil)
	if code, _, ok := rp.errorCode(); ok && code == wire.CodeUnsupportedVersion && forced == wire.VersionAuto {
		t.v = wire.Version3
		u = t.url(wire.Polling, "")
		rp = t.do(http.MethodGet, u, nil)
	}
	if rp.err != nil {
		return &netError{fmt.Errorf("GET %s: %w", t.shown(u), rp.err)}
	}
	if rp.status != http.StatusOK {
		return fmt.Errorf("the polling handshake GET %s: %s", t.shown(u), rp)
	}
	eio3 := wire.LooksEIO3(rp.body, rp.binary())
	switch {
	case forced == wire.VersionAuto && eio3:
		t.v = wire.Version3
	case forced == wire.Version4 && eio3:
		return fmt.Errorf("the server speaks Engine.IO 3 (Socket.IO 2.x), not the Engine.IO 4 asked for: %s", rp)
	case forced == wire.Version3 && !eio3:
		return fmt.Errorf("the server speaks Engine.IO 4 (Socket.IO 3.x or 4.x), not the Engine.IO 3 asked for: %s", rp)
	}
	packets, err := wire.DecodePayload(rp.body, t.v, rp.binary())
	if err != nil || len(packets) == 0 || packets[0].Type != wire.PacketOpen {
		return fmt.Errorf("the polling handshake GET %s: no open packet: %s", t.shown(u), rp)
	}
	hs, err := wire.ParseHandshake(packets[0].Data)
	if err != nil {
		return fmt.Errorf("the polling handshake: %v", err)
	}
	r.v, r.hs = t.v, hs
	return nil
}

func (r *runner) detectWebSocket(t *T, forced wire.Version) error {
	t.v = forced
	if t.v == wire.VersionAuto {
		t.v = wire.Version4
	}
	w, rp := t.dial("")
	if w == nil {
		return fmt.Errorf("the WebSocket handshake: %s", rp)
	}
	f, err := w.nextWithin(0)
	open, ok := f.packet(t.v)
	if err != nil || !ok || open.Binary || open.Type != wire.PacketOpen {
		return fmt.Errorf("the WebSocket handshake: no open packet: %s", t.got)
	}
	hs, err := wire.ParseHandshake(open.Data)
	if err != nil {
		return fmt.Errorf("the WebSocket handshake: %v", err)
	}
	r.v, r.hs = t.v, hs
	if forced != wire.VersionAuto || hs.MaxPayload > 0 {
		return nil
	}
	// Engine.IO 3 servers answer a client's ping (engine.io 3.6 without
	// its data); Engine.IO 4 servers end the session (engine.io 4.1 and
	// later) or say nothing.
	ping, _ := wire.AppendFrame(nil, wire.Packet{Type: wire.PacketPing, Data: []byte("probe")}, wire.Version3, false)
	w.text(string(ping))
	for {
		f, err := w.nextWithin(time.Second)
		if err != nil {
			return nil
		}
		if p, ok := f.packet(wire.Version3); ok && p.Type == wire.PacketPong {
			r.v = wire.Version3
			return nil
		}
	}
}
