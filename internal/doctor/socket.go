package doctor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/siocli/sio/internal/output"
	"github.com/siocli/sio/pkg/engineio"
	"github.com/siocli/sio/pkg/engineio/wire"
	"github.com/siocli/sio/pkg/sioclient"
)

// namespace connects to the namespace over the transports that work, with
// the auth given.
func (r *run) namespace(s *Step) {
	eo, ok := r.workingOptions()
	if !ok {
		skip(s, "no transport works")
		return
	}
	r.pings = make(chan sioclient.Lifecycle, 4)
	r.closed = make(chan sioclient.Lifecycle, 4)
	opts := r.cfg.Manager
	opts.Engine, opts.NoReconnect = eo, true
	opts.OnLifecycle = func(l sioclient.Lifecycle) {
		var ch chan sioclient.Lifecycle
		switch l.Type {
		case sioclient.LifecyclePing:
			ch = r.pings
		case sioclient.LifecycleClose, sioclient.LifecycleDisconnect:
			ch = r.closed
		}
		if ch != nil {
			select {
			case ch <- l:
			default:
			}
		}
	}
	m, err := sioclient.NewManager(r.cfg.URL, &opts)
	if err != nil {
		fail(s, output.Describe(err), "")
		return
	}
	r.manager = m
	ctx, cancel := context.WithTimeout(r.ctx, r.cfg.Timeout)
	defer cancel()
	so := m.Socket(r.cfg.Namespace, &r.cfg.Socket)
	if err := so.Connect(ctx); err != nil {
		var ce *sioclient.ConnectError
		if errors.As(err, &ce) {
			r.nsRefused = true
			fact(s, "message", ce.Message)
			if len(ce.Data) > 0 {
				fact(s, "data", string(ce.Data))
			}
			if ce.Message == "Invalid namespace" {
				fail(s, fmt.Sprintf("The server has no namespace %s.", r.cfg.Namespace),
					"Check the namespace: it is the URL's path (the server's path is --path).")
				return
			}
			fail(s, fmt.Sprintf("The server refused %s: %q: a middleware turned the connect down.", r.cfg.Namespace, ce.Message),
				"Send what the middleware wants: --auth JSON (socket.io 3.x, 4.x) or --query k=v (2.x).")
			return
		}
		r.noteUnknownSID(err)
		fail(s, "The connect failed: "+output.Describe(err)+".", "Run with --trace to see the exchange.")
		return
	}
	r.nsConnected, r.connectedAt = true, time.Now()
	sess := m.Session()
	fact(s, "socket id", so.ID())
	fact(s, "transport", string(sess.Transport))
	fact(s, "Socket.IO protocol", fmt.Sprintf("%d", sess.Protocol))
}

// workingOptions are the engine options of a session over what the steps
// found working: polling and the upgrade, polling alone, or WebSocket;
// false when nothing works.
func (r *run) workingOptions() (engineio.Options, bool) {
	polling := r.pollingOK && r.stickyOK
	switch {
	case polling && r.upgradeOK:
		return r.engineOptions(), true
	case polling:
		eo := r.engineOptions(wire.Polling)
		eo.NoUpgrade = true
		return eo, true
	case r.wsOK:
		return r.engineOptions(wire.WebSocket), true
	}
	return engineio.Options{}, false
}

// heartbeat waits for one heartbeat on the connected namespace.
func (r *run) heartbeat(s *Step) {
	switch {
	case !r.nsConnected:
		skip(s, "no connection")
		return
	case r.cfg.HeartbeatWait <= 0:
		skip(s, "--heartbeat-wait 0")
		return
	case r.cfg.Watch > 0:
		skip(s, "--watch looks at the heartbeats")
		return
	}
	sess := r.manager.Session()
	hs := sess.Handshake
	wait := min(r.cfg.HeartbeatWait, hs.PingInterval+hs.PingTimeout+2*time.Second)
	fact(s, "expected", fmt.Sprintf("a ping every %s, answered within %s", hs.PingInterval, hs.PingTimeout))
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case l := <-r.pings:
		after := l.Time.Sub(r.connectedAt)
		if sess.Engine == wire.Version3 {
			fact(s, "ping", fmt.Sprintf("sent after %s, pong in %s", ms(after), ms(l.RTT)))
		} else {
			fact(s, "ping", fmt.Sprintf("from the server after %s, pong sent", ms(after)))
		}
	case l := <-r.closed:
		after := time.Since(r.connectedAt).Round(time.Millisecond)
		fact(s, "dropped", fmt.Sprintf("after %s: %s", after, l.Reason))
		problem := fmt.Sprintf("The connection dropped after %s (%s) before a heartbeat: something between here and the server closes it.", after, l.Reason)
		if after < hs.PingInterval {
			problem = fmt.Sprintf("The connection dropped after %s (%s), sooner than the server's first ping (every %s): an idle timeout between here and the server is shorter than the heartbeat.", after, l.Reason, hs.PingInterval)
		}
		r.dropped = after
		fail(s, problem,
			"Make the proxy's and load balancer's timeouts longer than pingInterval + pingTimeout ("+timeoutsFor(r.between)+"), and turn off response buffering for long-polls (nginx proxy_buffering off).")
	case <-timer.C:
		if wait < hs.PingInterval {
			skip(s, fmt.Sprintf("no ping within --heartbeat-wait %s; the server pings every %s", wait, hs.PingInterval))
			return
		}
		warn(s, fmt.Sprintf("No heartbeat within %s, though the server announced a ping every %s: it does not ping as announced, or something holds the pings back.", wait, hs.PingInterval),
			"Check the server's pingInterval, and any proxy that buffers responses (nginx proxy_buffering off).")
	case <-r.ctx.Done():
		skip(s, "interrupted")
	}
}
