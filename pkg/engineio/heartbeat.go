package engineio

import (
	"errors"
	"fmt"
	"time"

	"github.com/siocli/sio/pkg/engineio/wire"
)

// The heartbeat. Engine.IO 4: the server pings, the client answers and
// gives up when no ping comes within pingInterval+pingTimeout. Engine.IO 3:
// the client pings every pingInterval after the last pong and gives up
// when nothing at all arrives within pingTimeout of a ping. Both give up
// through one timer, the deadline; only Engine.IO 3 has the ping timer.

func (c *Conn) startHeartbeatLocked() {
	c.heartbeatOn = true
	c.armDeadlineLocked(c.info.PingInterval + c.info.PingTimeout)
	if c.version == Version3 {
		c.schedulePingLocked(c.info.PingInterval)
	}
}

func (c *Conn) stopHeartbeatLocked() {
	c.heartbeatOn = false
	for _, t := range []*time.Timer{c.deadline, c.pingTimer, c.detectTimer} {
		if t != nil {
			t.Stop()
		}
	}
}

// armDeadlineLocked (re)arms the deadline: the session ends with a ping
// timeout unless what the heartbeat waits for arrives within d.
func (c *Conn) armDeadlineLocked(d time.Duration) {
	if c.heartbeatOn {
		arm(&c.deadline, d, c.onDeadline)
	}
}

// arm starts *t to call f after d, or resets it when it exists.
func arm(t **time.Timer, d time.Duration, f func()) {
	if *t == nil {
		*t = time.AfterFunc(d, f)
	} else {
		(*t).Reset(d)
	}
}

func (c *Conn) onDeadline() {
	c.mu.Lock()
	v := c.version
	c.mu.Unlock()
	if v == Version3 {
		c.shutdown(ReasonPingTimeout, fmt.Errorf("no packet from the server within %v of a ping", c.info.PingTimeout))
		return
	}
	c.shutdown(ReasonPingTimeout, fmt.Errorf("no heartbeat from the server within %v", c.info.PingInterval+c.info.PingTimeout))
}

// schedulePingLocked sets when the client sends its next ping (Engine.IO
// 3).
func (c *Conn) schedulePingLocked(d time.Duration) {
	if c.heartbeatOn {
		arm(&c.pingTimer, d, c.sendPing)
	}
}

func (c *Conn) sendPing() {
	c.mu.Lock()
	if !c.heartbeatOn {
		c.mu.Unlock()
		return
	}
	c.pingSent = monoNow()
	c.armDeadlineLocked(c.info.PingTimeout)
	c.mu.Unlock()
	c.enqueue(wire.Packet{Type: wire.PacketPing})
}

// isHeartbeat tells the packets the server's heartbeat waits for: the
// pong (Engine.IO 4) or the ping (Engine.IO 3); not the upgrade's probe.
func isHeartbeat(p wire.Packet) bool {
	return (p.Type == wire.PacketPong || p.Type == wire.PacketPing) && string(p.Data) != "probe"
}

// stuckAhead is how many bytes still in the socket ahead of a heartbeat
// packet make it a likely cause of the server's ping timeout.
const stuckAhead = 64 << 10

// stuckLocked explains err, how a session ended, when the server most
// likely gave up for want of the heartbeat packet it waits for, because
// a large message ahead of it travelled too slowly: the packet had been
// queued behind a write still going out for over half the server's
// pingTimeout, or it went out that long ago behind stuckAhead bytes the
// socket still held and the server never showed it arrived. Over either
// transport a heartbeat cannot overtake a message being sent. ours says
// that sio gave up (Engine.IO 3's wait for a pong), not the server.
func (c *Conn) stuckLocked(err error, ours bool) error {
	var se *HeartbeatStuckError
	if c.closing || errors.As(err, &se) {
		return err
	}
	now := monoNow()
	e := &HeartbeatStuckError{Packet: "pong", PingTimeout: c.info.PingTimeout, Ours: ours, Err: err}
	if c.version == Version3 {
		e.Packet = "ping"
	}
	switch {
	case c.writing && c.hbQueued != 0 && now.sub(c.hbQueued) >= c.info.PingTimeout/2:
		e.Queued, e.Waited, e.Size, e.Sending = true, now.sub(c.hbQueued), c.writeSize, now.sub(c.writeStart)
	case c.hbAhead >= stuckAhead && c.hbHeard < c.hbSent && now.sub(c.hbSent) >= c.info.PingTimeout/2:
		e.Waited, e.Size = now.sub(c.hbSent), c.hbAhead
	default:
		return err
	}
	return e
}

// mono is an instant on the monotonic clock, in nanoseconds since the
// package was loaded, 0 for none: a Conn keeps several instants, and
// thousands of Conns at once, for which time.Time's 24 bytes are many.
type mono int64

var monoBase = time.Now()

// monoNow is the instant now.
func monoNow() mono { return mono(time.Since(monoBase)) + 1 }

// since is how long ago m was.
func (m mono) since() time.Duration { return monoNow().sub(m) }

// sub is how long after o m is.
func (m mono) sub(o mono) time.Duration { return time.Duration(m - o) }
