package engineio

import (
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
	c.pingSent = time.Now()
	c.armDeadlineLocked(c.info.PingTimeout)
	c.mu.Unlock()
	c.enqueue(wire.Packet{Type: wire.PacketPing})
}
