package testserver

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// NginxHint is the command that installs nginx for the proxy tests.
const NginxHint = "install nginx (apt-get install nginx), or run scripts/test.sh, which does"

// Nginx describes an nginx in front of Socket.IO servers.
type Nginx struct {
	// Upstreams are the servers' ports; several are balanced round-robin,
	// with no stickiness.
	Upstreams []int
	// NoUpgrade leaves out the directives that forward the WebSocket
	// upgrade, a common misconfiguration.
	NoUpgrade bool
	// Cert and Key, PEM files, make it listen with TLS.
	Cert, Key string
	// ReadTimeout, when set, is nginx's proxy_read_timeout ("1s"): how long
	// it lets a response or a WebSocket stay silent.
	ReadTimeout string
	// BodyLimit, when set, is client_max_body_size ("10k"): the largest
	// request body it passes on.
	BodyLimit string
}

// StartNginx runs nginx with the configuration n describes on a free
// loopback port, stops it when the test ends, and returns its URL.
func StartNginx(t testing.TB, n Nginx) string {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		if _, err2 := os.Stat("/usr/sbin/nginx"); err2 != nil {
			t.Fatalf("nginx not found: %s", NginxHint)
		}
		bin = "/usr/sbin/nginx"
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o755) // nginx's workers may run as another user
	port := freePort(t)
	var up strings.Builder
	for _, p := range n.Upstreams {
		fmt.Fprintf(&up, "    server 127.0.0.1:%d;\n", p)
	}
	upgrade := "      proxy_http_version 1.1;\n      proxy_set_header Upgrade $http_upgrade;\n      proxy_set_header Connection \"upgrade\";\n"
	if n.NoUpgrade {
		upgrade = ""
	}
	if n.ReadTimeout != "" {
		upgrade += "      proxy_read_timeout " + n.ReadTimeout + ";\n"
	}
	if n.BodyLimit != "" {
		upgrade += "      client_max_body_size " + n.BodyLimit + ";\n"
	}
	listen := fmt.Sprintf("listen 127.0.0.1:%d;", port)
	scheme := "http"
	if n.Cert != "" {
		listen = fmt.Sprintf("listen 127.0.0.1:%d ssl;\n    ssl_certificate %s;\n    ssl_certificate_key %s;", port, n.Cert, n.Key)
		scheme = "https"
	}
	conf := fmt.Sprintf(`worker_processes 1;
error_log stderr warn;
pid %[1]s/nginx.pid;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path %[1]s/body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
  upstream socketio {
%[2]s  }
  server {
    %[3]s
    location / {
      proxy_pass http://socketio;
%[4]s    }
  }
}
`, dir, up.String(), listen, upgrade)
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", dir, "-c", path, "-g", "daemon off;")
	return scheme + "://" + runProxy(t, cmd, port, conf)
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
