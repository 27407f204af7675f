// Package eioserver is the server side of Engine.IO 3 and 4: sessions over
// HTTP long-polling and WebSocket, the upgrade from one to the other, and
// heartbeats in each version's direction (the server pings in Engine.IO 4,
// the client in 3). A Socket.IO layer sits on top of it through Handler.
package eioserver

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/siocli/sio/pkg/engineio/wire"
)

// Options configure a Server. Zero fields take the defaults of the
// reference server (socket.io 4.x).
type Options struct {
	// Path is where the server answers; default "/socket.io/". It matches
	// with or without the trailing slash.
	Path string
	// PingInterval and PingTimeout are the heartbeat timings announced in
	// the handshake; defaults 25s and 20s.
	PingInterval, PingTimeout time.Duration
	// MaxPayload is the largest POST body or WebSocket message accepted, in
	// bytes; default 1,000,000.
	MaxPayload int
	// Versions are the Engine.IO versions offered; default both. A
	// handshake asking for another, or for none the server knows (EIO
	// missing or not 3 or 4), is refused with 400 and code 5, as
	// engine.io refuses one.
	Versions []wire.Version
	// Transports are the transports clients may use; default both.
	Transports []wire.Transport
	// UpgradeTimeout is how long an upgrade may take from the WebSocket's
	// opening to the client's upgrade packet; default 10s.
	UpgradeTimeout time.Duration
	// PerMessageDeflate takes the WebSocket compression clients offer and
	// compresses the frames of PerMessageDeflateThreshold bytes or more,
	// as engine.io's perMessageDeflate (off by default there too).
	PerMessageDeflate          bool
	PerMessageDeflateThreshold int
	// HTTPCompression gzips the polling responses of
	// HTTPCompressionThreshold bytes or more to clients that accept it, as
	// engine.io's httpCompression.
	HTTPCompression          bool
	HTTPCompressionThreshold int
	// OpenDelay holds back the open packet of a session opened over
	// WebSocket this long after the 101 answer, so that a client reads the
	// two apart. The engine.io-protocol 3 test suite needs that: it starts
	// listening for the open packet a tick after the WebSocket's open
	// event, and ws emits a frame read along with the 101 before that
	// tick, for no listener. Default 0: at once.
	OpenDelay time.Duration
	// NoUpgrades offers polling sessions no upgrade (allowUpgrades: false)
	// and refuses one asked for.
	NoUpgrades bool
	// Cookie, when set, is sent with each handshake answer with the
	// session id as its value (socket.io's cookie option), the cookie a
	// sticky balancer can key on; its Name, Path and HttpOnly are used.
	Cookie *http.Cookie
	// CORS are the origins that browsers may send requests from ("*" for
	// any): polling answers them with CORS headers, and when the list is
	// not empty a WebSocket from another origin is refused. Empty, as for
	// socket.io 4: no CORS headers, and WebSockets from any origin.
	CORS []string
}

// allowsOrigin says whether a request from origin may be answered.
func (o *Options) allowsOrigin(origin string) bool {
	for _, a := range o.CORS {
		if a == "*" || strings.EqualFold(a, origin) {
			return true
		}
	}
	return false
}

func (o *Options) withDefaults() Options {
	c := Options{}
	if o != nil {
		c = *o
	}
	if c.Path == "" {
		c.Path = "/socket.io/"
	}
	if !strings.HasSuffix(c.Path, "/") {
		c.Path += "/"
	}
	if c.PingInterval <= 0 {
		c.PingInterval = 25 * time.Second
	}
	if c.PingTimeout <= 0 {
		c.PingTimeout = 20 * time.Second
	}
	if c.MaxPayload <= 0 {
		c.MaxPayload = 1_000_000
	}
	if len(c.Versions) == 0 {
		c.Versions = []wire.Version{wire.Version3, wire.Version4}
	}
	c.Versions = append([]wire.Version(nil), c.Versions...)
	if len(c.Transports) == 0 {
		c.Transports = []wire.Transport{wire.Polling, wire.WebSocket}
	}
	c.Transports = append([]wire.Transport(nil), c.Transports...)
	if c.UpgradeTimeout <= 0 {
		c.UpgradeTimeout = 10 * time.Second
	}
	return c
}

// offers says whether the server opens sessions of the version an EIO
// query parameter asks for, and which version that is.
func (o *Options) offers(eio string) (wire.Version, bool) {
	var v wire.Version
	switch eio {
	case "3":
		v = wire.Version3
	case "4":
		v = wire.Version4
	default:
		return 0, false
	}
	for _, x := range o.Versions {
		if x == v {
			return v, true
		}
	}
	return v, false
}

func (o *Options) allows(t wire.Transport) bool {
	for _, x := range o.Transports {
		if x == t {
			return true
		}
	}
	return false
}

// Handler receives what happens to sessions. Its functions are called
// without any lock of the server's held; those of one session are called
// in order, one at a time. Any may be nil.
type Handler struct {
	// Open is called for a new session before anything else of it; what it
	// sends goes out with the handshake.
	Open func(*Session)
	// Message is called for each message the client sends.
	Message func(*Session, wire.Message)
	// Upgrade is called when the session has moved to WebSocket.
	Upgrade func(*Session)
	// Close is called once when the session ends, with the reason and the
	// error behind it, if any.
	Close func(s *Session, reason wire.CloseReason, err error)
}

// Server is an Engine.IO server, an http.Handler. All its methods are safe
// for concurrent use.
type Server struct {
	opts     Options
	h        Handler
	upgrader websocket.Upgrader

	mu       sync.Mutex
	sessions map[string]*Session
	closed   bool
	wg       sync.WaitGroup // session goroutines
}

// New returns a Server that calls h.
func New(opts *Options, h Handler) *Server {
	o := opts.withDefaults()
	return &Server{
		opts:     o,
		h:        h,
		sessions: make(map[string]*Session),
		upgrader: websocket.Upgrader{
			CheckOrigin: func(r *http.Request) bool {
				origin := r.Header.Get("Origin")
				return len(o.CORS) == 0 || origin == "" || o.allowsOrigin(origin)
			},
			ReadBufferSize:    4096,
			WriteBufferSize:   4096,
			EnableCompression: o.PerMessageDeflate,
		},
	}
}

// Options returns the server's options with their defaults filled in.
func (srv *Server) Options() Options { return srv.opts }

// Session returns the open session with the id, or nil.
func (srv *Server) Session(id string) *Session {
	srv.mu.Lock()
	s := srv.sessions[id]
	srv.mu.Unlock()
	if s == nil || s.ended() {
		return nil
	}
	return s
}

// lookup returns the session a request names, nil when there is none. A
// session whose heartbeat is overdue ends here if its timer has not ended
// it yet, so that from its deadline on no request finds it, however late
// the timer fires. A session the client closed may still be returned,
// ended, for the GET that crossed the close (see Session.servePoll).
func (srv *Server) lookup(id string) *Session {
	srv.mu.Lock()
	s := srv.sessions[id]
	srv.mu.Unlock()
	if s != nil && s.overdue(time.Now()) {
		s.end(wire.ReasonPingTimeout, nil)
	}
	return s
}

// Close ends every session and refuses new ones. It returns when their
// goroutines have finished.
func (srv *Server) Close() {
	srv.mu.Lock()
	srv.closed = true
	all := make([]*Session, 0, len(srv.sessions))
	for _, s := range srv.sessions {
		all = append(all, s)
	}
	srv.mu.Unlock()
	// Each WebSocket is sent a close frame, which a stalled client may
	// take its time to accept: end them side by side.
	var ending sync.WaitGroup
	for _, s := range all {
		ending.Add(1)
		go func() {
			defer ending.Done()
			s.end(wire.ReasonServerShutdown, nil)
		}()
	}
	ending.Wait()
	srv.wg.Wait()
}

// track counts a connection in srv.wg unless the server is closed: under
// srv.mu, so that Close's Wait never meets an Add from zero.
func (srv *Server) track() bool {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.closed {
		return false
	}
	srv.wg.Add(1)
	return true
}

// writeError answers an Engine.IO request error as the reference server
// does: 400 and a JSON body {"code":N,"message":"…"}.
func writeError(w http.ResponseWriter, code wire.ErrorCode, detail string) {
	msg := code.Message()
	if detail != "" {
		msg += ": " + detail
	}
	body, _ := json.Marshal(struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}{int(code), msg})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	w.Write(body)
}

// ServeHTTP answers the Engine.IO requests at the server's path, and 404
// elsewhere.
func (srv *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != srv.opts.Path && r.URL.Path+"/" != srv.opts.Path {
		http.Error(w, "Not found: the Socket.IO server here answers at "+srv.opts.Path, http.StatusNotFound)
		return
	}
	if origin := r.Header.Get("Origin"); origin != "" && srv.opts.allowsOrigin(origin) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Add("Vary", "Origin")
		if r.Method == http.MethodOptions {
			h.Set("Access-Control-Allow-Methods", "GET, POST")
			if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
				h.Set("Access-Control-Allow-Headers", req)
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	q := r.URL.Query()
	t := wire.Transport(q.Get(wire.QueryTransport))
	if (t != wire.Polling && t != wire.WebSocket) || !srv.opts.allows(t) {
		writeError(w, wire.CodeTransportUnknown, "")
		return
	}
	// The EIO parameter matters to a handshake, which it must name a
	// version offered (engine.io ≥ 4.1 takes anything but 4 as 3; we do
	// not guess), and to an upgrade, which must name the session's.
	v, offered := srv.opts.offers(q.Get(wire.QueryEIO))
	sid := q.Get(wire.QuerySID)
	if t == wire.WebSocket {
		if !websocket.IsWebSocketUpgrade(r) {
			writeError(w, wire.CodeBadRequest, "transport=websocket without a WebSocket upgrade")
			return
		}
		if sid == "" && !offered {
			writeError(w, wire.CodeUnsupportedVersion, "")
			return
		}
		srv.serveWebSocket(w, r, v, sid)
		return
	}
	if q.Has("j") {
		writeError(w, wire.CodeBadRequest, "JSONP polling is not supported")
		return
	}
	if sid == "" {
		if r.Method != http.MethodGet {
			writeError(w, wire.CodeBadHandshakeMethod, "")
			return
		}
		if !offered {
			writeError(w, wire.CodeUnsupportedVersion, "")
			return
		}
		s := srv.open(r, v, wire.Polling, "")
		if s == nil {
			writeError(w, wire.CodeBadRequest, "the server is shutting down")
			return
		}
		if c := srv.cookie(s.id); c != nil {
			http.SetCookie(w, c)
		}
		s.servePoll(w, r)
		return
	}
	s := srv.lookup(sid)
	if s == nil {
		writeError(w, wire.CodeUnknownSID, "")
		return
	}
	switch r.Method {
	case http.MethodGet:
		s.servePoll(w, r)
	case http.MethodPost:
		s.servePost(w, r)
	default:
		writeError(w, wire.CodeBadRequest, "method "+r.Method)
	}
}

// open creates a session, of id when not empty, for the handshake request
// r on transport t and queues its open packet; nil when the server is
// closed.
func (srv *Server) open(r *http.Request, v wire.Version, t wire.Transport, id string) *Session {
	q := r.URL.Query()
	if id == "" {
		id = NewID()
	}
	s := &Session{
		id:        id,
		version:   v,
		remote:    r.RemoteAddr,
		query:     q,
		handshake: Handshake{Header: r.Header.Clone(), URL: r.URL.RequestURI(), Secure: r.TLS != nil, Time: time.Now()},
		b64:       q.Get(wire.QueryBase64) != "",
		srv:       srv,
		transport: t,
		wake:      make(chan struct{}, 1),
		done:      make(chan struct{}),
	}
	upgrades := []string{}
	if t == wire.Polling && srv.opts.allows(wire.WebSocket) && !srv.opts.NoUpgrades {
		upgrades = append(upgrades, string(wire.WebSocket))
	}
	hs := map[string]any{
		"sid":          s.id,
		"upgrades":     upgrades,
		"pingInterval": srv.opts.PingInterval.Milliseconds(),
		"pingTimeout":  srv.opts.PingTimeout.Milliseconds(),
	}
	if v == wire.Version4 {
		hs["maxPayload"] = srv.opts.MaxPayload
	}
	data, _ := json.Marshal(hs)
	s.queue = append(s.queue, wire.Packet{Type: wire.PacketOpen, Data: data})

	srv.mu.Lock()
	if srv.closed {
		srv.mu.Unlock()
		return nil
	}
	srv.sessions[s.id] = s
	srv.mu.Unlock()
	s.startHeartbeat()
	if srv.h.Open != nil {
		s.inMu.Lock()
		srv.h.Open(s)
		s.inMu.Unlock()
	}
	return s
}

// NewID returns a random id of 20 URL-safe characters, like the reference
// server's session and socket ids.
func NewID() string {
	var raw [15]byte
	rand.Read(raw[:])
	return base64.URLEncoding.EncodeToString(raw[:])
}

func (srv *Server) remove(s *Session) {
	srv.mu.Lock()
	delete(srv.sessions, s.id)
	srv.mu.Unlock()
}

// cookie is the handshake's cookie for session sid, nil when none is
// configured.
func (srv *Server) cookie(sid string) *http.Cookie {
	c := srv.opts.Cookie
	if c == nil || c.Name == "" {
		return nil
	}
	path := c.Path
	if path == "" {
		path = "/"
	}
	return &http.Cookie{Name: c.Name, Value: sid, Path: path, HttpOnly: c.HttpOnly, SameSite: http.SameSiteLaxMode}
}
