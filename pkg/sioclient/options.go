package sioclient

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/url"
	"time"

	"github.com/siocli/sio/pkg/codec"
	"github.com/siocli/sio/pkg/engineio"
)

// Options configure a Manager. The zero value (or nil) gives the reference
// client's defaults; nothing here is changed by the Manager.
type Options struct {
	// Engine configures the Engine.IO session: transports, headers, TLS,
	// proxy, cookies, tracing. Its Path defaults to "/socket.io/" here,
	// and its ConnectTimeout (default 20s) bounds each connection attempt.
	// Its OnEvent is called before the Manager's own handling.
	Engine engineio.Options
	// HeaderFunc, when set, is called before every connection attempt for
	// headers that replace Engine.Header's of the same names on that
	// attempt's requests, so that credentials can be refreshed; an error
	// fails the attempt. ctx ends with the attempt: when its
	// Engine.ConnectTimeout, which HeaderFunc's time counts against, runs
	// out, or the Manager closes.
	HeaderFunc func(ctx context.Context) (http.Header, error)
	// NoReconnect turns reconnection off; it is on by default.
	NoReconnect bool
	// FailFast ends the attempts of a Manager that has never had a session
	// when the first fails for a cause waiting is unlikely to cure soon
	// (see Unreachable): connection refused, no such host, an answer that
	// is not an Engine.IO handshake. Connect then returns that error at
	// once instead of retrying until its context ends. Once a session was
	// open, losses reconnect as usual. The reference client retries; a
	// tool that a person is watching should say at once.
	FailFast bool
	// ReconnectAttempts limits the attempts after a connection is lost or
	// cannot be made; 0 means no limit.
	ReconnectAttempts int
	// ReconnectDelay is the delay before the first attempt, doubled for
	// each further one; default 1s.
	ReconnectDelay time.Duration
	// ReconnectDelayMax caps the delay; default 5s.
	ReconnectDelayMax time.Duration
	// RandomizationFactor moves each delay up or down by up to this share
	// of itself; 0 means the default 0.5, a negative value means none.
	RandomizationFactor float64
	// Parser gives the wire format for the protocol revision the server
	// speaks; default JSON, the format of every server unless it was
	// configured otherwise. Msgpack matches socket.io-msgpack-parser.
	Parser ParserFactory
	// OnLifecycle hears every lifecycle event of the Manager and its
	// sockets, in order, on the Manager's dispatcher goroutine.
	OnLifecycle func(Lifecycle)
	// OnStateChange hears every change of the Manager's state and of its
	// sockets' (see State), in order with the lifecycle events, on the
	// dispatcher goroutine.
	OnStateChange func(StateChange)

	rand func() float64 // tests fix the jitter
}

// SocketOptions configure one namespace's Socket.
type SocketOptions struct {
	// Auth is the auth payload (a JSON object) sent with every CONNECT to
	// servers 3.x and 4.x. Servers 2.x have no auth payload; use Query.
	Auth json.RawMessage
	// AuthFunc, when set, is called before every CONNECT for the auth
	// payload, so that tokens can be refreshed; it takes precedence over
	// Auth. It runs on a goroutine of its own, with no lock held, and the
	// CONNECT goes when it returns. ctx ends when the connection
	// attempt's Engine.ConnectTimeout runs out (for a socket that
	// connects on a session already open, ConnectTimeout after it asked),
	// or the Manager closes; an error ends the socket's connect with it.
	AuthFunc func(ctx context.Context) (json.RawMessage, error)
	// Query is sent in the namespace of the CONNECT to servers 2.x
	// ("/admin?token=x"), where the server reads it as the handshake query.
	Query url.Values
	// AckTimeout is the default time EmitWithAck waits when its context has
	// no deadline; 0 means no limit.
	AckTimeout time.Duration
	// Retries makes every emit wait for an ack (AckTimeout must be set) and
	// resend it, with a new ack id, up to Retries times when none comes:
	// at-least-once delivery, one packet in flight at a time, as the
	// reference client's retries option.
	Retries int
}

// ParserFactory returns the parser for a protocol revision.
type ParserFactory func(codec.Version) codec.Parser

// JSON is the default wire format.
func JSON(v codec.Version) codec.Parser { return codec.JSONParser{Version: v} }

// Msgpack is the wire format of servers that use socket.io-msgpack-parser.
func Msgpack(v codec.Version) codec.Parser { return codec.MsgpackParser{Version: v} }

func (o *Options) withDefaults() Options {
	var c Options
	if o != nil {
		c = *o
	}
	if c.Engine.Path == "" {
		c.Engine.Path = "/socket.io/"
	}
	if c.Engine.ConnectTimeout <= 0 {
		c.Engine.ConnectTimeout = engineio.DefaultConnectTimeout
	}
	if c.ReconnectDelay <= 0 {
		c.ReconnectDelay = time.Second
	}
	if c.ReconnectDelayMax <= 0 {
		c.ReconnectDelayMax = 5 * time.Second
	}
	if c.RandomizationFactor == 0 {
		c.RandomizationFactor = 0.5
	}
	if c.Parser == nil {
		c.Parser = JSON
	}
	if c.rand == nil {
		c.rand = rand.Float64
	}
	return c
}
