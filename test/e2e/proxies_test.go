package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/siocli/sio/internal/testserver"
)

// TestDoctorHAProxy puts a real HAProxy in front of two socket.io 4.x
// servers: round-robin without stickiness, with an inserted SERVERID
// cookie, and with a short timeout tunnel.
func TestDoctorHAProxy(t *testing.T) {
	t.Parallel()
	cfg := fastPing
	cfg.Version = "4"
	a, b := testserver.Start(t, cfg), testserver.Start(t, cfg)
	t.Run("round robin", func(t *testing.T) {
		url := testserver.StartHAProxy(t, testserver.HAProxy{Upstreams: []int{a.Port, b.Port}})
		for i := range 3 {
			rep := doctor(t, url, "--heartbeat-wait", "0")
			rep.expect(t, 6, "sticky", "not sticky", "cookie SERVERID insert")
			for _, p := range rep.Verdict.Problems {
				if strings.Contains(p.Problem, "answers WebSocket requests itself") {
					t.Errorf("run %d: a false verdict behind round-robin: %s", i, p.Problem)
				}
			}
		}
	})
	t.Run("cookie", func(t *testing.T) {
		url := testserver.StartHAProxy(t, testserver.HAProxy{Upstreams: []int{a.Port, b.Port}, Cookie: true})
		rep := doctor(t, url, "--heartbeat-wait", "0")
		rep.expect(t, 0, "")
		if _, facts := rep.step("handshake"); !strings.Contains(facts["in between"], "HAProxy") {
			t.Errorf("HAProxy not recognised: %v", facts)
		}
		if _, facts := rep.step("sticky"); !strings.Contains(facts["balancer cookie"], "SERVERID") {
			t.Errorf("the balancer's cookie not named: %v", facts)
		}
	})
	t.Run("short timeout tunnel", func(t *testing.T) {
		slow := testserver.Start(t, testserver.Config{Version: "4", PingInterval: 3 * time.Second})
		url := testserver.StartHAProxy(t, testserver.HAProxy{Upstreams: []int{slow.Port}, TunnelTimeout: "1s"})
		rep := doctor(t, url, "--heartbeat-wait", "0", "--watch", "7s", "--transport", "websocket")
		rep.expect(t, 6, "watch", "a fixed interval", "timeout tunnel")
	})
}

// TestDoctorApache puts a real Apache httpd (mod_proxy) in front of a
// socket.io 4.x server, without and with the WebSocket upgrade.
func TestDoctorApache(t *testing.T) {
	t.Parallel()
	cfg := fastPing
	cfg.Version = "4"
	s := testserver.Start(t, cfg)
	t.Run("no upgrade", func(t *testing.T) {
		url := testserver.StartApache(t, testserver.Apache{Upstream: s.Port})
		rep := doctor(t, url, "--heartbeat-wait", "0")
		rep.expect(t, 6, "websocket", "upgrade=websocket")
		if _, facts := rep.step("handshake"); !strings.Contains(facts["in between"], "Apache") {
			t.Errorf("Apache not recognised: %v", facts)
		}
		if !rep.Verdict.Transports["polling"] || rep.Verdict.Transports["websocket"] {
			t.Errorf("transports %v", rep.Verdict.Transports)
		}
	})
	t.Run("upgrade=websocket", func(t *testing.T) {
		url := testserver.StartApache(t, testserver.Apache{Upstream: s.Port, WebSocket: true})
		doctor(t, url, "--heartbeat-wait", "0").expect(t, 0, "")
	})
}

// TestDoctorCaddy puts a real Caddy in front of a socket.io 4.x server:
// right by default, and with a read timeout shorter than the heartbeat.
func TestDoctorCaddy(t *testing.T) {
	t.Parallel()
	cfg := fastPing
	cfg.Version = "4"
	s := testserver.Start(t, cfg)
	url := testserver.StartCaddy(t, testserver.Caddy{Upstream: s.Port})
	rep := doctor(t, url)
	rep.expect(t, 0, "")
	if _, facts := rep.step("handshake"); !strings.Contains(facts["in between"], "Caddy") {
		t.Errorf("Caddy not recognised: %v", facts)
	}
	slow := testserver.Start(t, testserver.Config{Version: "4", PingInterval: 3 * time.Second})
	url = testserver.StartCaddy(t, testserver.Caddy{Upstream: slow.Port, ReadTimeout: "1s"})
	doctor(t, url, "--heartbeat-wait", "0", "--watch", "5s").expect(t, 6, "watch", "a fixed interval", "here Caddy", "read_timeout")
}
