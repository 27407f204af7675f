package engineio

import "time"

// Version detection over WebSocket only. The polling handshake tells the
// version by its framing; a WebSocket's open packet does not, unless it
// holds maxPayload (engine.io 6.2 and later). Until the version is known,
// frames are held; it is settled by the first ping from the server (only
// Engine.IO 4 servers ping), by the layer above (a Socket.IO 2.x server
// speaks first), or, failing both, by the detection timer: an Engine.IO 3
// server would have wanted a ping by pingInterval + pingTimeout/2.

// startDetectionLocked arms the detection timer.
func (c *Conn) startDetectionLocked() {
	d := c.info.PingInterval + c.info.PingTimeout/2
	c.detectTimer = time.AfterFunc(d, func() { c.resolveVersion(Version3) })
}

// resolveVersion settles the version of a WebSocket-only auto session,
// starts the heartbeat of that version and releases held frames.
func (c *Conn) resolveVersion(v Version) {
	c.readMu.Lock()
	c.resolveVersionReadLocked(v)
	c.unlockRead()
}

// resolveVersionReadLocked is resolveVersion with c.readMu held.
func (c *Conn) resolveVersionReadLocked(v Version) {
	c.mu.Lock()
	if c.version != VersionAuto || c.closeErr != nil {
		c.mu.Unlock()
		return
	}
	if c.detectTimer != nil {
		c.detectTimer.Stop()
	}
	c.version = v
	c.startHeartbeatLocked()
	if v == Version3 {
		// Detection by heartbeat means the server has been waiting for a
		// ping for a while: send one now.
		c.schedulePingLocked(0)
	}
	held := c.held
	c.held = nil
	c.cond.Broadcast()
	c.mu.Unlock()
	c.raise(Event{Type: EventVersion, Version: v})
	for _, f := range held {
		if !c.handleFrameLocked(f) {
			return
		}
	}
}
