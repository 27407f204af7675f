package testserver

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// ProxiesHint is the command that installs the proxies of the doctor's
// tests.
const ProxiesHint = "install them (apt-get install nginx haproxy apache2 caddy), or run scripts/test.sh, which does"

// HAProxy configures a real HAProxy in front of servers.
type HAProxy struct {
	Upstreams []int
	// Balance is the backend's balance algorithm; default roundrobin.
	Balance string
	// Cookie inserts a SERVERID cookie that keeps each client on one
	// server (`cookie SERVERID insert indirect nocache`).
	Cookie bool
	// TunnelTimeout is `timeout tunnel`, the idle timeout of WebSockets;
	// default 1h.
	TunnelTimeout string
}

// StartHAProxy starts HAProxy on a free loopback port and returns its
// URL; it stops when the test ends.
func StartHAProxy(t testing.TB, h HAProxy) string {
	t.Helper()
	bin := lookProxy(t, "haproxy", "/usr/sbin/haproxy")
	dir := t.TempDir()
	port := freePort(t)
	balance, tunnel := h.Balance, h.TunnelTimeout
	if balance == "" {
		balance = "roundrobin"
	}
	if tunnel == "" {
		tunnel = "1h"
	}
	var servers strings.Builder
	if h.Cookie {
		servers.WriteString("  cookie SERVERID insert indirect nocache\n")
	}
	for i, p := range h.Upstreams {
		fmt.Fprintf(&servers, "  server s%d 127.0.0.1:%d", i+1, p)
		if h.Cookie {
			fmt.Fprintf(&servers, " cookie s%d", i+1)
		}
		servers.WriteString("\n")
	}
	conf := fmt.Sprintf(`global
  maxconn 256
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  timeout tunnel %s
frontend fe
  bind 127.0.0.1:%d
  default_backend be
backend be
  balance %s
%s`, tunnel, port, balance, servers.String())
	path := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return "http://" + runProxy(t, exec.Command(bin, "-db", "-f", path), port, conf)
}

// Apache configures a real Apache httpd (mod_proxy) in front of a server.
type Apache struct {
	Upstream int
	// WebSocket forwards the upgrade (`upgrade=websocket` on the
	// ProxyPass); without it Apache passes requests as plain HTTP.
	WebSocket bool
}

// StartApache starts Apache httpd on a free loopback port and returns its
// URL; it stops when the test ends.
func StartApache(t testing.TB, a Apache) string {
	t.Helper()
	bin := lookProxy(t, "apache2", "/usr/sbin/apache2")
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	port := freePort(t)
	mods := "/usr/lib/apache2/modules"
	upgrade := ""
	if a.WebSocket {
		upgrade = " upgrade=websocket"
	}
	conf := fmt.Sprintf(`ServerRoot %[1]s
ServerName localhost
Listen 127.0.0.1:%[2]d
PidFile %[1]s/httpd.pid
ErrorLog %[1]s/error.log
LogLevel warn
LoadModule mpm_event_module %[3]s/mod_mpm_event.so
LoadModule authz_core_module %[3]s/mod_authz_core.so
LoadModule proxy_module %[3]s/mod_proxy.so
LoadModule proxy_http_module %[3]s/mod_proxy_http.so
User nobody
Group nogroup
ProxyPass / http://127.0.0.1:%[4]d/%[5]s
ProxyPassReverse / http://127.0.0.1:%[4]d/
`, dir, port, mods, a.Upstream, upgrade)
	path := filepath.Join(dir, "httpd.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return "http://" + runProxy(t, exec.Command(bin, "-f", path, "-DFOREGROUND"), port, conf)
}

// Caddy configures a real Caddy in front of a server, as its reverse_proxy
// does by default.
type Caddy struct {
	Upstream int
	// ReadTimeout, when set, is reverse_proxy's `transport http {
	// read_timeout }` ("1s"): how long an upstream read may wait.
	ReadTimeout string
}

// StartCaddy starts Caddy on a free loopback port and returns its URL; it
// stops when the test ends.
func StartCaddy(t testing.TB, c Caddy) string {
	t.Helper()
	bin := lookProxy(t, "caddy", "/usr/bin/caddy")
	dir := t.TempDir()
	port := freePort(t)
	transport := ""
	if c.ReadTimeout != "" {
		transport = " {\n\t\ttransport http {\n\t\t\tread_timeout " + c.ReadTimeout + "\n\t\t}\n\t}"
	}
	conf := fmt.Sprintf(`{
	admin off
	auto_https off
}
http://127.0.0.1:%d {
	reverse_proxy 127.0.0.1:%d%s
}
`, port, c.Upstream, transport)
	path := filepath.Join(dir, "Caddyfile")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "run", "--config", path, "--adapter", "caddyfile")
	cmd.Env = append(os.Environ(), "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir, "HOME="+dir)
	return "http://" + runProxy(t, cmd, port, conf)
}

// lookProxy finds a proxy's binary, or fails naming how to install it.
func lookProxy(t testing.TB, name, path string) string {
	t.Helper()
	if bin, err := exec.LookPath(name); err == nil {
		return bin
	}
	if _, err := os.Stat(path); err == nil {
		return path
	}
	t.Fatalf("%s not found: %s", name, ProxiesHint)
	return ""
}

// runProxy starts a proxy's command, waits until it listens on port and
// stops it when the test ends. It returns the address, host:port.
func runProxy(t testing.TB, cmd *exec.Cmd, port int, conf string) string {
	t.Helper()
	var stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", cmd.Path, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case <-done:
			t.Fatalf("%s exited: %s\nconfiguration:\n%s", filepath.Base(cmd.Path), stderr.String(), conf)
		default:
		}
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s does not listen on %s: %s", filepath.Base(cmd.Path), addr, stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
