// Package testserver starts the real Node.js Socket.IO servers of
// test/servers for interop tests: each major version, with the options that
// change the wire, on a free loopback port.
package testserver

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// InstallHint is the command that installs what the interop tests need.
const InstallHint = "install Node.js 18 or later, then run: npm ci --prefix test/servers (or scripts/test.sh, which does both)"

// Config chooses the server to start.
type Config struct {
	// Version is the socket.io major version: "2", "3" or "4".
	Version      string
	Port         int           // 0: a free port
	PingInterval time.Duration // 0: the server's default
	PingTimeout  time.Duration // 0: the server's default
	AllowEIO3    bool
	Transports   []string // default polling and websocket
	Recovery     bool     // connection state recovery (4.x)
	Path         string   // default /socket.io
	Parser       string   // "" or "msgpack"
	MaxPayload   int      // maxHttpBufferSize; 0: the default
	// PerMessageDeflate turns on WebSocket compression (threshold 1024).
	PerMessageDeflate bool
	// NoTrailingSlash routes the path exactly (addTrailingSlash: false,
	// socket.io 4.6+).
	NoTrailingSlash bool
	// Cluster runs this many worker processes of socket.io 4 joined by
	// @socket.io/cluster-adapter; Sticky puts @socket.io/sticky in front,
	// without it each new connection goes to the next worker.
	Cluster int
	Sticky  bool
	// CORS is socket.io's cors.origin: "" for *, "none" for no CORS
	// headers, or a comma-separated list; CORSCredentials and CORSHeaders
	// are its credentials and allowedHeaders. AllowOrigin refuses, in
	// allowRequest, requests from any other Origin. Cookie names the
	// session cookie.
	CORS            string
	CORSCredentials bool
	CORSHeaders     []string
	AllowOrigin     string
	Cookie          string
	// Go, when set, starts github.com/zishang520/socket.io's v3 server
	// (test/goservers, a module of its own), with the same handlers;
	// Port and AllowEIO3 apply.
	Go bool
	// Googollee, with Go, starts github.com/googollee/go-socket.io
	// instead (Engine.IO 3 only).
	Googollee bool
	// Python, when set, starts python-socketio (Debian's python3-socketio)
	// served by "aiohttp" or "eventlet", or through Flask-SocketIO ("flask"), instead of a Node server, with the
	// same handlers; only Port applies.
	Python string
	// Conformance, when set ("engine.io" or "socket.io"), starts
	// test/servers/conformance.js instead: the test server of that
	// protocol's conformance suite (pingInterval 300, pingTimeout 200, an
	// echo). Version picks the socket.io release whose engine.io or
	// Socket.IO server it is (default "4"); AllowEIO3 and Port apply.
	Conformance string
	// Admin, when set, starts test/servers/admin-server.js instead: a
	// server of Version ("3" or "4") instrumented with @socket.io/admin-ui;
	// only Port applies besides.
	Admin *Admin
}

// Admin chooses how the admin UI instruments a server.
type Admin struct {
	Production bool   // mode: "production" (stats only)
	User       string // basic auth with this user; "": auth: false
	Password   string
	ReadOnly   bool
	Cluster    int // this many worker processes joined by the cluster adapter (WebSocket only)
}

// PythonInstallHint is the command that installs the python-socketio
// servers' packages.
const PythonInstallHint = "install them from Debian's packages: apt-get install python3-socketio python3-engineio python3-aiohttp python3-eventlet python3-flask-socketio (scripts/test.sh does it when run as root)"

// python is Debian's interpreter, whose packages python3-socketio fills.
const python = "/usr/bin/python3"

// Server is a running Node server.
type Server struct {
	Port   int
	Engine string // the engine.io version behind it
	cfg    Config
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *syncBuffer
	once   sync.Once
}

// Dir returns the folder holding the Node servers.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "test", "servers")
}

// Start starts a server and stops it when the test ends. It fails the test,
// naming the install command, when Node.js or the packages are missing.
func Start(t testing.TB, cfg Config) *Server {
	t.Helper()
	s, err := start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// Run starts a server outside a test (in TestMain, say); the caller stops
// it.
func Run(cfg Config) (*Server, error) { return start(cfg) }

func start(cfg Config) (*Server, error) {
	if cfg.Go {
		bin, err := goServers()
		if err != nil {
			return nil, err
		}
		args := []string{"--port", strconv.Itoa(cfg.Port)}
		if cfg.AllowEIO3 {
			args = append(args, "--allow-eio3")
		}
		if cfg.Googollee {
			return launch(cfg, exec.Command(bin, append(args, "--impl", "googollee")...), "googollee/go-socket.io")
		}
		return launch(cfg, exec.Command(bin, args...), "zishang520/socket.io")
	}
	if cfg.Python != "" {
		if err := exec.Command(python, "-c", "import socketio, engineio, aiohttp, eventlet, flask_socketio").Run(); err != nil {
			return nil, fmt.Errorf("python-socketio is missing (%s: %v): %s", python, err, PythonInstallHint)
		}
		return launch(cfg, exec.Command(python, filepath.Join(Dir(), "python_server.py"), "--async", cfg.Python, "--port", strconv.Itoa(cfg.Port)),
			"python-socketio on "+cfg.Python)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("node not found on PATH: %s", InstallHint)
	}
	dir := Dir()
	if cfg.Conformance != "" && cfg.Version == "" {
		cfg.Version = "4"
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "socket.io-v"+cfg.Version)); err != nil {
		return nil, fmt.Errorf("socket.io %s.x is not installed in %s: %s", cfg.Version, dir, InstallHint)
	}
	if cfg.Conformance != "" {
		args := []string{filepath.Join(dir, "conformance.js"), "--suite", cfg.Conformance, "--version", cfg.Version, "--port", strconv.Itoa(cfg.Port)}
		if cfg.AllowEIO3 {
			args = append(args, "--allow-eio3")
		}
		return launch(cfg, exec.Command(node, args...), "the "+cfg.Conformance+" conformance test server")
	}
	if a := cfg.Admin; a != nil {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", "@socket.io", "admin-ui")); err != nil {
			return nil, fmt.Errorf("@socket.io/admin-ui is not installed in %s: %s", dir, InstallHint)
		}
		args := []string{filepath.Join(dir, "admin-server.js"), "--version", cfg.Version, "--port", strconv.Itoa(cfg.Port)}
		if a.Production {
			args = append(args, "--mode", "production")
		}
		if a.User != "" {
			args = append(args, "--user", a.User, "--password", a.Password)
		}
		if a.ReadOnly {
			args = append(args, "--readonly")
		}
		if a.Cluster > 0 {
			args = append(args, "--cluster", strconv.Itoa(a.Cluster))
		}
		return launch(cfg, exec.Command(node, args...), "socket.io "+cfg.Version+".x with the admin UI")
	}
	args := []string{filepath.Join(dir, "server.js"), "--version", cfg.Version, "--port", strconv.Itoa(cfg.Port)}
	if cfg.PingInterval > 0 {
		args = append(args, "--ping-interval", strconv.FormatInt(cfg.PingInterval.Milliseconds(), 10))
	}
	if cfg.PingTimeout > 0 {
		args = append(args, "--ping-timeout", strconv.FormatInt(cfg.PingTimeout.Milliseconds(), 10))
	}
	if cfg.AllowEIO3 {
		args = append(args, "--allow-eio3")
	}
	if len(cfg.Transports) > 0 {
		args = append(args, "--transports", strings.Join(cfg.Transports, ","))
	}
	if cfg.Recovery {
		args = append(args, "--recovery")
	}
	if cfg.Path != "" {
		args = append(args, "--path", cfg.Path)
	}
	if cfg.Parser != "" {
		args = append(args, "--parser", cfg.Parser)
	}
	if cfg.PerMessageDeflate {
		args = append(args, "--per-message-deflate")
	}
	if cfg.NoTrailingSlash {
		args = append(args, "--no-trailing-slash")
	}
	if cfg.MaxPayload > 0 {
		args = append(args, "--max-payload", strconv.Itoa(cfg.MaxPayload))
	}
	if cfg.CORS != "" {
		args = append(args, "--cors", cfg.CORS)
	}
	if cfg.CORSCredentials {
		args = append(args, "--cors-credentials")
	}
	if len(cfg.CORSHeaders) > 0 {
		args = append(args, "--cors-headers", strings.Join(cfg.CORSHeaders, ","))
	}
	if cfg.AllowOrigin != "" {
		args = append(args, "--allow-origin", cfg.AllowOrigin)
	}
	if cfg.Cookie != "" {
		args = append(args, "--cookie", cfg.Cookie)
	}
	if cfg.Cluster > 0 {
		args = append(args, "--cluster", strconv.Itoa(cfg.Cluster))
		if cfg.Sticky {
			args = append(args, "--sticky")
		}
	}
	return launch(cfg, exec.Command(node, args...), "socket.io "+cfg.Version+".x")
}

// launch starts a server process in the servers' folder and waits for the
// JSON line with its port.
func launch(cfg Config, cmd *exec.Cmd, what string) (*Server, error) {
	cmd.Dir = Dir()
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the %s server: %w", what, err)
	}
	s := &Server{cfg: cfg, cmd: cmd, stdin: stdin, stderr: stderr}
	type ready struct {
		Port   int    `json:"port"`
		Engine string `json:"engine"`
	}
	got := make(chan ready, 1)
	go func() {
		var r ready
		line, err := bufio.NewReader(stdout).ReadBytes('\n')
		if err == nil {
			json.Unmarshal(line, &r)
		}
		got <- r
		io.Copy(io.Discard, stdout)
	}()
	select {
	case r := <-got:
		if r.Port == 0 {
			s.Stop()
			return nil, fmt.Errorf("the %s server did not start: %s", what, stderr.String())
		}
		s.Port, s.Engine = r.Port, r.Engine
	case <-time.After(20 * time.Second):
		s.Stop()
		return nil, fmt.Errorf("the %s server did not start within 20s: %s", what, stderr.String())
	}
	return s, nil
}

// URL returns the server's base URL, http://127.0.0.1:PORT.
func (s *Server) URL() string { return fmt.Sprintf("http://127.0.0.1:%d", s.Port) }

// Stop kills the server and waits for it to exit. It may be called more
// than once.
func (s *Server) Stop() {
	s.once.Do(func() {
		s.stdin.Close()
		s.cmd.Process.Kill()
		s.cmd.Wait()
	})
}

// Restart stops the server and starts it again on the same port, as when a
// server process is redeployed.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Stop()
	cfg := s.cfg
	cfg.Port = s.Port
	var n *Server
	var err error
	for i := 0; i < 50; i++ { // the port may take a moment to be free again
		if n, err = start(cfg); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	*s = Server{Port: n.Port, Engine: n.Engine, cfg: n.cfg, cmd: n.cmd, stdin: n.stdin, stderr: n.stderr}
}

// Stderr returns what the server wrote to stderr so far.
func (s *Server) Stderr() string { return s.stderr.String() }

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

var goBuild struct {
	once sync.Once
	bin  string
	err  error
}

// goServers builds test/goservers once, into a file named for what it was
// built from, so that later runs reuse it.
func goServers() (string, error) {
	goBuild.once.Do(func() {
		src := filepath.Join(Dir(), "..", "goservers")
		h := sha256.New()
		for _, f := range []string{"main.go", "googollee.go", "go.mod", "go.sum"} {
			data, err := os.ReadFile(filepath.Join(src, f))
			if err != nil {
				goBuild.err = err
				return
			}
			h.Write(data)
		}
		bin := filepath.Join(os.TempDir(), fmt.Sprintf("sio-goservers-%x", h.Sum(nil)[:8]))
		if _, err := os.Stat(bin); err == nil {
			goBuild.bin = bin
			return
		}
		tmp := fmt.Sprintf("%s.%d", bin, os.Getpid())
		cmd := exec.Command("go", "build", "-o", tmp, ".")
		cmd.Dir = src
		if out, err := cmd.CombinedOutput(); err != nil {
			goBuild.err = fmt.Errorf("building test/goservers (it needs the Go module proxy once): %v\n%s", err, out)
			return
		}
		goBuild.err = os.Rename(tmp, bin)
		goBuild.bin = bin
	})
	return goBuild.bin, goBuild.err
}
