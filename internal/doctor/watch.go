package doctor

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/siocli/sio/internal/output"
	"github.com/siocli/sio/pkg/engineio/wire"
	"github.com/siocli/sio/pkg/sioclient"
)

// WatchLine is one thing the watch saw, for live output.
type WatchLine struct {
	Time time.Time
	Text string
	Bad  bool // a drop
}

// Drop is a connection that ended while the watch held it.
type Drop = output.DoctorDrop

// watch holds a connection for Config.Watch (or until the run's context
// ends, as on Ctrl-C), reconnecting after each drop, and then says
// whether the drops came at a fixed interval (a timeout between here and
// the server) or at random.
func (r *run) watch(s *Step) {
	eo, ok := r.workingOptions()
	if !ok {
		skip(s, "no transport works")
		return
	}
	if r.manager != nil { // the namespace step's: one connection at a time
		r.manager.Close()
		r.manager = nil
	}
	say := func(bad bool, format string, a ...any) {
		if r.cfg.OnWatch != nil {
			r.cfg.OnWatch(WatchLine{Time: time.Now(), Text: fmt.Sprintf(format, a...), Bad: bad})
		}
	}
	var (
		mu        sync.Mutex
		connected time.Time
		lastPing  time.Time
		drops     []Drop
		pings     int
		hs        wire.Handshake
	)
	opts := r.cfg.Manager
	opts.Engine = eo
	opts.NoReconnect, opts.ReconnectAttempts = false, 0
	opts.ReconnectDelay, opts.ReconnectDelayMax = 500*time.Millisecond, 2*time.Second
	opts.OnLifecycle = func(l sioclient.Lifecycle) {
		mu.Lock()
		defer mu.Unlock()
		switch l.Type {
		case sioclient.LifecycleConnect:
			if l.Namespace != r.cfg.Namespace {
				return
			}
			connected, lastPing = l.Time, time.Time{}
			say(false, "connected %s", l.Namespace)
		case sioclient.LifecyclePing:
			lastPing = l.Time
			pings++
		case sioclient.LifecycleDisconnect:
			if l.Namespace != r.cfg.Namespace || connected.IsZero() || l.Reason == sioclient.ReasonClientDisconnect {
				return
			}
			d := Drop{At: l.Time, Lived: l.Time.Sub(connected), Reason: l.Reason, SincePing: -1}
			d.LivedMS = float64(d.Lived.Microseconds()) / 1000
			if !lastPing.IsZero() {
				d.SincePing = l.Time.Sub(lastPing)
				v := float64(d.SincePing.Microseconds()) / 1000
				d.PingMS = &v
			}
			connected = time.Time{}
			if len(drops) < 1000 {
				drops = append(drops, d)
			}
			ping := "no heartbeat on it"
			if d.SincePing >= 0 {
				ping = "the last heartbeat " + ms(d.SincePing) + " before"
			}
			say(true, "dropped after %s: %s (%s)", ms(d.Lived), d.Reason, ping)
		case sioclient.LifecycleReconnectAttempt:
			say(false, "reconnecting (attempt %d)", l.Attempt)
		}
	}
	m, err := sioclient.NewManager(r.cfg.URL, &opts)
	if err != nil {
		fail(s, err.Error(), "")
		return
	}
	defer m.Close()
	start := time.Now()
	so := m.Socket(r.cfg.Namespace, &r.cfg.Socket)
	go so.Connect(r.ctx) // reconnection carries on after a failed first attempt
	timer := time.NewTimer(r.cfg.Watch)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-r.ctx.Done():
	}
	if sess := m.Session(); sess != nil {
		hs = sess.Handshake
	}
	m.Close()
	mu.Lock()
	defer mu.Unlock()
	if hs.PingInterval == 0 && r.hs != nil {
		hs = *r.hs
	}
	held := time.Since(start).Round(time.Second)
	fact(s, "watched", fmt.Sprintf("%s, %s", held, plural(pings, "heartbeat", "heartbeats")))
	if hs.PingInterval > 0 {
		fact(s, "heartbeat", fmt.Sprintf("a ping every %s, answered within %s (the handshake's)", hs.PingInterval, hs.PingTimeout))
	}
	r.report.Drops = slices.Clone(drops)
	if len(drops) == 0 {
		fact(s, "drops", "none")
		return
	}
	var lived []string
	for _, d := range drops {
		lived = append(lived, ms(d.Lived)+" ("+d.Reason+")")
	}
	fact(s, "drops", fmt.Sprintf("%d, after %s", len(drops), strings.Join(lived, ", ")))
	problem, fix := explainDrops(drops, hs.PingInterval, hs.PingTimeout, r.between)
	fail(s, problem, fix)
}

// timeoutsFor says where the proxy found keeps the timeouts that close
// connections, then the usual others.
func timeoutsFor(proxy string) string {
	own := map[string]string{
		nginx:      "here nginx: `proxy_read_timeout` and `proxy_send_timeout` in the location (default 60s)",
		haproxy:    "here HAProxy: `timeout tunnel` for WebSockets (else `timeout client` and `timeout server`) in defaults or the backend",
		apache:     "here Apache httpd: `ProxyTimeout` (and `ProxyWebsocketIdleTimeout` with mod_proxy_wstunnel), or `timeout=` on the ProxyPass",
		caddy:      "here Caddy: the server's `timeouts` and reverse_proxy's `transport http { read_timeout }`",
		awsELB:     "here an AWS load balancer: its idle timeout attribute (default 60s)",
		cloudflare: "here Cloudflare: its 100 s limit (Enterprise plans can raise it)",
		heroku:     "here Heroku's router: its 55 s idle window, which only traffic resets",
	}[proxy]
	if own == "" {
		return timeoutSettings
	}
	return own + "; elsewhere " + timeoutSettings
}

// timeoutSettings are where the usual proxies and balancers keep the
// timeouts that close connections.
const timeoutSettings = "nginx `proxy_read_timeout` and `proxy_send_timeout` (default 60s), HAProxy `timeout tunnel` (WebSockets; else `timeout client` and `timeout server`), Apache `ProxyTimeout` (and `ProxyWebsocketIdleTimeout`), an AWS ALB's idle timeout (default 60s), Cloudflare's 100 s, Heroku's router's 55 s"

// explainDrops says what the drops' pattern points at: a fixed interval
// is a timeout between here and the server, varying times the network
// (or the server going away).
func explainDrops(drops []Drop, interval, timeout time.Duration, proxy string) (problem, fix string) {
	timeoutSettings := timeoutsFor(proxy)
	pingTimeouts := 0
	for _, d := range drops {
		if d.Reason == sioclient.ReasonPingTimeout {
			pingTimeouts++
		}
	}
	if pingTimeouts == len(drops) {
		return fmt.Sprintf("The connection dropped %s, each time for want of a heartbeat (ping timeout): the server's pings stopped arriving, so the network or a proxy stalls the connection without closing it.", plural(len(drops), "time", "times")),
			"Look for a proxy that buffers (nginx `proxy_buffering off` for long-polls) or a network path that drops packets; until then the client reconnects after each."
	}
	if len(drops) == 1 {
		return fmt.Sprintf("The connection dropped once, after %s (%s): one drop does not show a pattern; watch longer to see whether it repeats at that interval.", ms(drops[0].Lived), drops[0].Reason),
			"Run again with a longer --watch; if the drops repeat after the same time, a timeout between here and the server closes connections: " + timeoutSettings + "."
	}
	var sum, lo, hi float64
	lo = math.Inf(1)
	for _, d := range drops {
		v := d.Lived.Seconds()
		sum += v
		lo, hi = min(lo, v), max(hi, v)
	}
	mean := sum / float64(len(drops))
	if hi-lo <= max(1.5, 0.1*mean) {
		every := time.Duration(mean * float64(time.Second)).Round(100 * time.Millisecond)
		p := fmt.Sprintf("The connection dropped %d times, each after about %s: a fixed interval, so a timeout between here and the server closes connections", len(drops), every)
		switch {
		case interval > 0 && every < interval:
			p += fmt.Sprintf(", an idle timeout shorter than the server's ping interval (%s): the heartbeat comes too late to keep the connection open.", interval)
			return p, "Make the timeout longer than pingInterval + pingTimeout (" + (interval + timeout).String() + "), or make pingInterval shorter than the timeout: " + timeoutSettings + "."
		case interval > 0:
			p += fmt.Sprintf(", though heartbeats flowed every %s: a limit on a connection's whole life, or an idle timeout that heartbeats do not reset.", interval)
		default:
			p += "."
		}
		return p, "Raise that timeout: " + timeoutSettings + "."
	}
	return fmt.Sprintf("The connection dropped %d times, after times between %s and %s: no fixed interval, so rather the network (or the server going away) than a timeout.", len(drops),
			ms(time.Duration(lo*float64(time.Second))), ms(time.Duration(hi*float64(time.Second)))),
		"Look at the network path and the server's restarts; the client reconnects after each drop."
}
