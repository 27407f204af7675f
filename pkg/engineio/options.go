package engineio

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/siocli/sio/pkg/engineio/wire"
)

// Transport names an Engine.IO transport.
type Transport = wire.Transport

// The transports this package speaks.
const (
	Polling   = wire.Polling
	WebSocket = wire.WebSocket
)

// Options configure a connection. The zero value (or nil) gives the
// reference client's defaults; Dial never changes the caller's Options.
type Options struct {
	// Path is the server's Engine.IO path. Default "/engine.io/"; a
	// trailing slash is added when missing, as the reference client does,
	// unless NoTrailingSlash.
	Path string
	// NoTrailingSlash keeps Path without a trailing slash, as the reference
	// client's addTrailingSlash: false, for servers that route the path
	// exactly.
	NoTrailingSlash bool
	// NoTimestamp leaves the cache-busting stamp off polling requests
	// (timestampRequests: false); TimestampParam names its query
	// parameter, default "t".
	NoTimestamp    bool
	TimestampParam string
	// WebSocketPath and PollingPath, when set, replace Path for one
	// transport, for servers whose front routes the transports apart;
	// they are used as given.
	WebSocketPath, PollingPath string
	// ForceBase64 sends binary data over WebSocket as base64 text frames
	// and asks the server (b64=1) to do the same, as the reference
	// client's forceBase64, for fronts that pass only text frames.
	ForceBase64 bool
	// LegacyUTF8 UTF-8 encodes the text of Engine.IO 3 polling packets
	// twice, both ways, as engine.io 1.x (socket.io 1.x) does: without
	// it, text beyond ASCII arrives garbled from such a server ("€" as
	// "â\u0082¬") and ends the session when sent. Text from the server
	// that was not encoded so ends the session with a parse error.
	LegacyUTF8 bool
	// SendOversize sends messages larger than the maxPayload the server
	// announced, as the reference client does, instead of refusing them
	// with a TooLargeError; the server then ends the session. For probing
	// a server's real limit.
	SendOversize bool
	// Subprotocols are offered in the WebSocket handshake
	// (Sec-WebSocket-Protocol), in order of preference.
	Subprotocols []string
	// UpgradeTimeout bounds the upgrade from polling to WebSocket: the
	// dial, the probe and the switch. Default ConnectTimeout.
	UpgradeTimeout time.Duration
	// Query is added to every request's query string, after the URL's own.
	Query url.Values
	// Header is sent with every polling request and the WebSocket upgrade.
	Header http.Header
	// Jar keeps cookies across the polling requests and the WebSocket
	// upgrade, so that a load balancer's sticky-session cookie is honoured.
	// Default: a new jar for the connection.
	Jar http.CookieJar
	// TLSConfig is used for https and wss. Default: the system's roots.
	TLSConfig *tls.Config
	// Proxy chooses the proxy of each request. Default: from the
	// HTTP_PROXY, HTTPS_PROXY and NO_PROXY environment variables.
	Proxy func(*http.Request) (*url.URL, error)
	// Transports lists the transports that may be used, in order of
	// preference for the first connection. Default: polling then websocket,
	// which opens with polling and upgrades, as the reference client does.
	Transports []Transport
	// NoUpgrade keeps the connection on the transport it opened with.
	NoUpgrade bool
	// AfterHandshake is how long Dial waits after the handshake before the
	// session makes its next request (the first poll, a write, the
	// upgrade): 0, as the reference client, none. A balancer that learns
	// where a session lives only once its process has answered the
	// handshake (@socket.io/sticky) can send a request made at once to
	// another process; a moment's wait shows whether that is all that was
	// wrong.
	AfterHandshake time.Duration
	// NoPerMessageDeflate stops the WebSocket from offering
	// permessage-deflate, which it offers by default as the reference
	// client does; servers enable it by their own option (on by default in
	// engine.io 3.x, off since 4.0).
	NoPerMessageDeflate bool
	// Version is the Engine.IO version to speak. Default VersionAuto.
	Version Version
	// ConnectTimeout bounds the handshake (and each WebSocket dial).
	// Default 20s, the reference client's timeout.
	ConnectTimeout time.Duration
	// ReadLimit bounds the size of one polling response or WebSocket frame.
	// Default 100 MiB.
	ReadLimit int64
	// ReadBufferSize is the WebSocket's read buffer, held for the life of
	// the connection. Default 4 KiB; many idle connections (a load test)
	// are lighter with less, at the cost of more reads for bursts of small
	// frames. Frames larger than the buffer are read past it.
	ReadBufferSize int
	// Dial, when set, opens the TCP connections of the polling requests and
	// the WebSocket, as net.Dialer's DialContext does; TLS and proxies are
	// layered on what it returns. It can count bytes or pick the local
	// address. Default: a net.Dialer with ConnectTimeout.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Trace, when set, sees every HTTP exchange and WebSocket frame in both
	// directions. It is called from the connection's goroutines and must
	// return quickly; NewTraceWriter gives a readable log.
	Trace func(TraceEvent)
	// Redact names query parameters whose values the errors of failed
	// requests show as [redacted], besides those IsSecretName knows
	// (token, sig, password...). Errors never show such values, nor a
	// URL's user information: they reach terminals and logs.
	Redact []string
	// OnEvent, when set, hears of the connection's lifecycle: pings,
	// upgrades and failed upgrades. It is called from the connection's
	// goroutines, never with a lock held, and must not block.
	OnEvent func(Event)
	// OnMessage, when set, takes each message on the goroutine that read
	// it, in order, instead of Read: the layer above decodes and acts at
	// once, with no hand-off between goroutines. It may block, which holds
	// the server back through TCP, and may call Write, Flush and the
	// accessors, but not SetVersion or Close, which wait for the reading
	// goroutines. Read then only reports the end of the session. Messages
	// that came with the handshake are handed to it before Dial returns.
	OnMessage func(Message)
	// OnClose, when set, is called once when the session ends, with the
	// *CloseError that Read returns, so that no goroutine need wait in
	// Read for the end. It runs on the goroutine that saw the end, with
	// no lock held, and must not call Close, which waits for it.
	OnClose func(error)
}

// DefaultConnectTimeout is Options.ConnectTimeout's default, the
// reference client's timeout.
const DefaultConnectTimeout = 20 * time.Second

const (
	defaultPath       = "/engine.io/"
	defaultReadLimit  = 100 << 20
	defaultMaxPayload = 1_000_000
)

// withDefaults returns a copy of o with every default filled in.
func (o *Options) withDefaults() (Options, error) {
	var c Options
	if o != nil {
		c = *o
	}
	if c.Path == "" {
		c.Path = defaultPath
	}
	if !strings.HasPrefix(c.Path, "/") {
		c.Path = "/" + c.Path
	}
	if !strings.HasSuffix(c.Path, "/") && !c.NoTrailingSlash {
		c.Path += "/"
	}
	for _, p := range []*string{&c.WebSocketPath, &c.PollingPath} {
		if *p != "" && !strings.HasPrefix(*p, "/") {
			*p = "/" + *p
		}
	}
	if c.TimestampParam == "" {
		c.TimestampParam = wire.QueryTimestamp
	}
	for _, p := range c.Subprotocols {
		if p == "" || strings.ContainsAny(p, " ,\t\r\n\"") {
			return c, fmt.Errorf("engineio: %q is not a WebSocket subprotocol name", p)
		}
	}
	if len(c.Transports) == 0 {
		c.Transports = []Transport{Polling, WebSocket}
	}
	for _, t := range c.Transports {
		if t != Polling && t != WebSocket {
			return c, fmt.Errorf("engineio: unknown transport %q", t)
		}
	}
	switch c.Version {
	case VersionAuto, Version3, Version4:
	default:
		return c, fmt.Errorf("engineio: unknown Engine.IO version %d", c.Version)
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
	if c.UpgradeTimeout <= 0 {
		c.UpgradeTimeout = c.ConnectTimeout
	}
	if c.ReadLimit <= 0 {
		c.ReadLimit = defaultReadLimit
	}
	if c.Proxy == nil {
		c.Proxy = http.ProxyFromEnvironment
	}
	if c.Dial == nil {
		c.Dial = (&net.Dialer{Timeout: c.ConnectTimeout, KeepAlive: 30 * time.Second}).DialContext
	}
	c.Query = cloneValues(c.Query)
	c.Header = c.Header.Clone()
	c.Transports = append([]Transport(nil), c.Transports...)
	c.Subprotocols = append([]string(nil), c.Subprotocols...)
	if c.TLSConfig != nil {
		c.TLSConfig = c.TLSConfig.Clone()
	}
	return c, nil
}

func (o *Options) allows(t Transport) bool {
	for _, x := range o.Transports {
		if x == t {
			return true
		}
	}
	return false
}

func cloneValues(v url.Values) url.Values {
	c := make(url.Values, len(v))
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	return c
}

// Handshake is what the server said in its open packet.
type Handshake = wire.Handshake

// EventType is a kind of lifecycle Event.
type EventType int

// The lifecycle events a Conn reports through Options.OnEvent.
const (
	// EventPing: a heartbeat completed. In Engine.IO 4 the server pinged
	// (RTT is 0: the client cannot time it); in Engine.IO 3 the client
	// pinged and RTT is the time to the pong.
	EventPing EventType = iota + 1
	// EventUpgrading: the WebSocket probe succeeded and the switch begins.
	EventUpgrading
	// EventUpgrade: the connection moved From one transport To another.
	EventUpgrade
	// EventUpgradeError: the upgrade failed (Err says why) and the
	// connection stays on polling.
	EventUpgradeError
	// EventVersion: in a WebSocket-only connection whose version could not
	// be told from the handshake, the version is now known.
	EventVersion
)

var eventNames = map[EventType]string{
	EventPing: "ping", EventUpgrading: "upgrading", EventUpgrade: "upgrade",
	EventUpgradeError: "upgrade_error", EventVersion: "version",
}

func (t EventType) String() string { return eventNames[t] }

// Event is one lifecycle event.
type Event struct {
	Type     EventType
	Time     time.Time
	RTT      time.Duration // EventPing
	From, To Transport     // EventUpgrade
	Version  Version       // EventVersion
	Err      error         // EventUpgradeError
}
