package engineio

import (
	"github.com/siocli/sio/pkg/engineio/wire"

	"context"
	"errors"
	"fmt"
	"time"
)

// upgrade moves a polling session to WebSocket, as the reference client
// does: open a WebSocket with the session id, send "2probe", wait for
// "3probe", stop polling and writing, wait for the requests in flight, send
// "5", then write and read on the WebSocket. If any step before "5" fails
// the session stays on polling and EventUpgradeError says why.
func (c *Conn) upgrade() {
	defer c.wg.Done()
	c.mu.Lock()
	v, sid := c.version, c.info.SID
	c.mu.Unlock()

	ctx, cancel := context.WithTimeout(c.ctx, c.opts.UpgradeTimeout)
	defer cancel()
	ws, err := c.dialWS(ctx, v, sid)
	if err != nil {
		c.upgradeFailed(fmt.Errorf("opening the WebSocket: %w", err))
		return
	}
	c.mu.Lock()
	if c.closeErr != nil || c.closing { // no upgrade for a session that closes
		c.mu.Unlock()
		ws.close()
		return
	}
	c.probe = ws
	// Writes go on over polling while the probe is out, as the reference
	// client's do: holding them would add the server's upgrade check
	// (100 ms for engine.io) to every emit of the first moments. A server
	// that refuses POSTs once it has answered the probe has the refused
	// batch held for the WebSocket (holdForUpgrade).
	c.mu.Unlock()
	err = c.probeWS(ctx, ws, v)
	if err != nil {
		c.dropProbe(ws)
		c.resumePolling()
		c.upgradeFailed(err)
		return
	}
	c.emit(Event{Type: EventUpgrading})

	// Hold writes and stop polling; wait for the GET and POST in flight.
	c.mu.Lock()
	if c.closing || c.closeErr != nil {
		c.mu.Unlock()
		c.dropProbe(ws)
		return
	}
	c.paused, c.pollStop = true, true
	pollDone := c.pollDone
	c.mu.Unlock()
	select {
	case <-pollDone:
		c.mu.Lock()
		closing := c.closing
		c.mu.Unlock()
		if closing { // Close gave the upgrade up meanwhile
			c.dropProbe(ws)
			return
		}
	case <-c.done:
		return
	case <-ctx.Done():
		c.dropProbe(ws) // first: a POST refused from now on is not held for it
		c.resumePolling()
		c.upgradeFailed(errors.New("the pending poll did not return in time"))
		return
	}
	c.mu.Lock()
	idle := c.waitLocked(time.Now().Add(c.opts.ConnectTimeout), func() bool { return !c.writing })
	c.mu.Unlock()
	if !idle {
		if !c.ended() {
			c.dropProbe(ws)
			c.resumePolling()
			c.upgradeFailed(errors.New("the pending POST did not return in time"))
		}
		return
	}
	if err := ws.writePackets([]wire.Packet{{Type: wire.PacketUpgrade}}, v); err != nil {
		c.dropProbe(ws)
		c.resumePolling()
		c.upgradeFailed(fmt.Errorf("sending the upgrade packet: %w", err))
		return
	}

	c.mu.Lock()
	if c.closeErr != nil {
		c.mu.Unlock()
		return
	}
	c.probe, c.ws, c.transport = nil, ws, WebSocket
	c.paused = false
	c.cond.Broadcast()
	c.wg.Add(1)
	c.mu.Unlock()
	go c.wsReadLoop(ws, false)
	c.emit(Event{Type: EventUpgrade, From: Polling, To: WebSocket})
}

// probeWS sends the probe ping and waits for its pong.
func (c *Conn) probeWS(ctx context.Context, ws *wsConn, v Version) error {
	if err := ws.writePackets([]wire.Packet{{Type: wire.PacketPing, Data: []byte("probe")}}, v); err != nil {
		return fmt.Errorf("sending the probe: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		ws.conn.SetReadDeadline(dl)
	}
	f, err := ws.readFrame()
	if err != nil {
		return fmt.Errorf("waiting for the probe's answer: %w", ws.readError("probe", err))
	}
	ws.conn.SetReadDeadline(time.Time{})
	p, err := decodeFrame(f, v)
	if err != nil || p.Type != wire.PacketPong || string(p.Data) != "probe" {
		return fmt.Errorf("the server answered the probe with %v, not 3probe", f)
	}
	ws.rec.stop()
	return nil
}

func (c *Conn) dropProbe(ws *wsConn) {
	c.mu.Lock()
	c.probe = nil
	c.mu.Unlock()
	ws.close()
}

// resumePolling undoes the pause of an upgrade that failed after it.
func (c *Conn) resumePolling() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.paused = false
	c.cond.Broadcast()
	if c.closeErr != nil || !c.pollStop {
		return
	}
	c.pollStop = false
	select {
	case <-c.pollDone:
		c.pollDone = make(chan struct{})
		c.wg.Add(1)
		go c.pollLoop(c.pollDone)
	default:
		// The poll loop is still running and will carry on.
	}
}

func (c *Conn) upgradeFailed(err error) {
	if c.ended() {
		return
	}
	c.emit(Event{Type: EventUpgradeError, Err: err})
}
