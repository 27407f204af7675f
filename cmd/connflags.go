package cmd

import (
	"github.com/siocli/sio/internal/cliargs"

	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/siocli/sio/internal/outcome"
	"github.com/siocli/sio/pkg/engineio"
	"github.com/siocli/sio/pkg/sioclient"
)

// ConnOptions are the connection flags every command that connects takes.
type ConnOptions struct {
	URL             string
	Namespaces      []string
	Path            string
	Query           []string
	Auth            string
	AuthCmd         string
	HeaderCmds      []string
	Headers         []string
	Transport       string
	NoUpgrade       bool
	NoCompress      bool
	Compress        bool
	WSProtocols     []string
	Retries         int
	AckTimeout      time.Duration
	NoTrailingSlash bool
	WSPath          string
	PollingPath     string
	ForceBase64     bool
	LegacyUTF8      bool
	NoTimestamp     bool
	TimestampParam  string
	UpgradeTimeout  time.Duration
	TLSMin          string
	PFX             string
	PassphraseStdin bool
	// Stdin is where --passphrase-stdin reads; default os.Stdin.
	Stdin             io.Reader
	ServerName        string
	LocalAddress      string
	EIO               string
	Parser            string
	Insecure          bool
	CACert            string
	Cert              string
	Key               string
	Proxy             string
	ConnectTimeout    time.Duration
	Reconnect         bool
	NoReconnect       bool
	WaitForServer     bool
	ReconnectAttempts int
	ReconnectDelay    time.Duration
	ReconnectDelayMax time.Duration
	Trace             bool
	ShowSecrets       bool
	Redact            []string

	flags      *pflag.FlagSet // to tell which flags were given
	passphrase *string        // read once from Stdin
}

// addConnFlags defines the connection flags on fs. reconnect is the
// command's default for reconnection.
func addConnFlags(fs *pflag.FlagSet, o *ConnOptions, reconnect bool) {
	fs.StringArrayVarP(&o.Namespaces, "namespace", "n", nil, "connect to the namespace `/NS` (default: the URL's path, else /; repeatable where several are taken)")
	fs.StringVar(&o.Path, "path", "/socket.io", "the server's Socket.IO `path`")
	fs.StringArrayVarP(&o.Query, "query", "q", nil, "query parameter `k=v` for the handshake (repeatable)")
	fs.StringVarP(&o.Auth, "auth", "a", "", "auth payload: a `JSON` object, or @file (servers 3.x and 4.x)")
	fs.StringVar(&o.AuthCmd, "auth-cmd", "", "run this `command` before every connect and send its output, a JSON object, as the auth payload")
	fs.StringArrayVar(&o.HeaderCmds, "header-cmd", nil, "run this `command` before every connection attempt and send its output, \"Name: value\" lines, as headers (repeatable)")
	fs.StringArrayVarP(&o.Headers, "header", "H", nil, "extra HTTP header `\"K: V\"` (repeatable)")
	fs.StringVar(&o.Transport, "transport", "auto", "the `transport`: auto (polling, then upgrade to WebSocket), polling, or websocket")
	fs.BoolVar(&o.NoUpgrade, "no-upgrade", false, "stay on the first transport")
	fs.BoolVar(&o.Compress, "compress", true, "offer WebSocket per-message compression, and compress what is sent when the server takes it")
	fs.BoolVar(&o.NoCompress, "no-compress", false, "do not offer WebSocket per-message compression (--compress=false)")
	fs.IntVar(&o.Retries, "retries", 0, "resend an emit whose ack does not come within --ack-timeout, up to N times (at least once delivery)")
	fs.DurationVar(&o.AckTimeout, "ack-timeout", 0, "how long each try of an emit waits for its ack, with --retries")
	fs.StringArrayVar(&o.WSProtocols, "ws-protocol", nil, "offer this WebSocket subprotocol `name` (repeatable)")
	fs.StringVar(&o.WSPath, "ws-path", "", "the WebSocket's `path`, when a front routes it apart from polling (default: --path)")
	fs.StringVar(&o.PollingPath, "polling-path", "", "the polling requests' `path`, when a front routes them apart (default: --path)")
	fs.BoolVar(&o.ForceBase64, "force-base64", false, "send binary data over WebSocket as base64 text frames, and ask the server to do the same (b64=1)")
	fs.BoolVar(&o.LegacyUTF8, "legacy-utf8", false, "UTF-8 encode polling text twice, as socket.io 1.x (engine.io 1.x) does")
	fs.BoolVar(&o.NoTrailingSlash, "no-trailing-slash", false, "send the path without a trailing slash (addTrailingSlash: false)")
	fs.BoolVar(&o.NoTimestamp, "no-timestamp", false, "leave the cache-busting stamp off polling requests")
	fs.StringVar(&o.TimestampParam, "timestamp-param", "t", "the query `name` of polling requests' cache-busting stamp")
	fs.DurationVar(&o.UpgradeTimeout, "upgrade-timeout", 0, "how long the upgrade to WebSocket may take (default: --connect-timeout)")
	fs.StringVar(&o.EIO, "eio", "auto", "Engine.IO `version`: auto, 3 (socket.io 2.x) or 4 (3.x, 4.x)")
	fs.StringVar(&o.Parser, "parser", "json", "wire `format`: json or msgpack")
	fs.BoolVarP(&o.Insecure, "insecure", "k", false, "do not verify the server's TLS certificate")
	fs.StringVar(&o.CACert, "cacert", "", "verify the server with the CA certificates in this PEM `file`")
	fs.StringVar(&o.Cert, "cert", "", "client certificate PEM `file` (with --key)")
	fs.StringVar(&o.Key, "key", "", "client private key PEM `file` (with --cert)")
	fs.StringVar(&o.PFX, "pfx", "", "client certificate and key in a PKCS#12 `file` (.pfx, .p12)")
	fs.BoolVar(&o.PassphraseStdin, "passphrase-stdin", false, "read the --pfx passphrase from the first line of standard input")
	fs.StringVar(&o.TLSMin, "tls-min", "1.2", "the lowest TLS `version` to accept: 1.2 or 1.3")
	fs.StringVar(&o.ServerName, "servername", "", "the TLS server `name` to ask for (SNI) and verify (default: the URL's host)")
	fs.StringVar(&o.LocalAddress, "local-address", "", "connect from this local `IP` address")
	fs.StringVar(&o.Proxy, "proxy", "", "proxy `URL` (default: from HTTP_PROXY, HTTPS_PROXY and NO_PROXY)")
	fs.DurationVar(&o.ConnectTimeout, "connect-timeout", 20*time.Second, "how long to try to connect")
	o.flags = fs
	fs.BoolVar(&o.Reconnect, "reconnect", reconnect, "reconnect when the connection is lost")
	fs.BoolVar(&o.NoReconnect, "no-reconnect", false, "do not reconnect")
	fs.BoolVar(&o.WaitForServer, "wait-for-server", false, "keep trying the first connection while the server cannot be reached (refused, no such host, not Socket.IO), until --connect-timeout")
	fs.IntVar(&o.ReconnectAttempts, "reconnect-attempts", 0, "give up after this many attempts (0: never)")
	fs.DurationVar(&o.ReconnectDelay, "reconnect-delay", time.Second, "delay before the first attempt, doubled for each further one")
	fs.DurationVar(&o.ReconnectDelayMax, "reconnect-delay-max", 5*time.Second, "the longest delay between attempts")
	fs.BoolVar(&o.Trace, "trace", false, "print every HTTP exchange and WebSocket frame to stderr")
	fs.BoolVar(&o.ShowSecrets, "show-secrets", false, "do not redact auth values and credentials in --trace")
	fs.StringArrayVar(&o.Redact, "redact", nil, "also redact the query parameter or header of this `name` in --trace (repeatable)")
}

// shown is a URL as sio prints it: credential-named query values redacted
// unless --show-secrets.
func (o *ConnOptions) shown(u string) string {
	if o.ShowSecrets {
		return u
	}
	return engineio.RedactURL(u, o.Redact...)
}

// traceWriter returns the wire trace writer the options ask for, writing
// to w: auth payloads, credential headers and query values redacted unless
// --show-secrets.
func (o *ConnOptions) traceWriter(w io.Writer) *engineio.TraceWriter {
	tw := engineio.NewTraceWriter(w, o.ShowSecrets)
	tw.Redact(o.Redact...)
	return tw
}

// conn is a validated connection request.
type conn struct {
	url        string   // the server's base URL, http or https, with the query
	namespaces []string // at least one
	manager    sioclient.Options
	socket     sioclient.SocketOptions
	timeout    time.Duration
}

// check validates the flags, as build does, before the command runs.
func (o *ConnOptions) check() error {
	if _, err := o.build(io.Discard); err != nil {
		return usage(err)
	}
	return nil
}

// build validates the flags and returns the client's options. Its errors
// are usage errors. trace receives --trace output.
func (o *ConnOptions) build(trace io.Writer) (*conn, error) {
	c := &conn{timeout: o.ConnectTimeout}
	u, nsp, err := parseServerURL(o.URL)
	if err != nil {
		return nil, err
	}
	q := u.Query()
	for _, kv := range o.Query {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--query %q: want k=v", kv)
		}
		q.Add(k, v)
	}
	u.RawQuery = q.Encode()
	u.Path = ""
	c.url = u.String()
	c.namespaces = slices.Clone(o.Namespaces) // normalised below: never the caller's
	if len(c.namespaces) == 0 {
		c.namespaces = []string{nsp}
	}
	for i, n := range c.namespaces {
		if !strings.HasPrefix(n, "/") {
			c.namespaces[i] = "/" + n
		}
	}

	eo := &c.manager.Engine
	eo.Path = o.Path // the query is in c.url: the engine sends the URL's own
	eo.NoUpgrade = o.NoUpgrade
	if o.flags != nil && o.flags.Changed("compress") && o.Compress && o.NoCompress {
		return nil, fmt.Errorf("--compress and --no-compress say opposite things; give one")
	}
	if o.flags != nil && o.flags.Changed("compress") && !o.Compress {
		o.NoCompress = true
	}
	eo.NoPerMessageDeflate = o.NoCompress
	eo.Subprotocols = o.WSProtocols
	eo.NoTrailingSlash = o.NoTrailingSlash
	eo.WebSocketPath = o.WSPath
	eo.PollingPath = o.PollingPath
	eo.ForceBase64 = o.ForceBase64
	eo.LegacyUTF8 = o.LegacyUTF8
	eo.NoTimestamp = o.NoTimestamp
	eo.TimestampParam = o.TimestampParam
	given := o.flags != nil && o.flags.Changed("timestamp-param")
	if (o.TimestampParam == "" && given) || strings.ContainsAny(o.TimestampParam, "&=#? ") {
		return nil, fmt.Errorf("--timestamp-param %q: want a query parameter name", o.TimestampParam)
	}
	for _, p := range o.WSProtocols {
		if p == "" || strings.ContainsAny(p, " ,\t\r\n\"") {
			return nil, fmt.Errorf("--ws-protocol %q: not a subprotocol name", p)
		}
	}
	if o.UpgradeTimeout < 0 {
		return nil, fmt.Errorf("--upgrade-timeout cannot be negative")
	}
	eo.UpgradeTimeout = o.UpgradeTimeout
	if o.LocalAddress != "" {
		ip := net.ParseIP(o.LocalAddress)
		if ip == nil {
			return nil, fmt.Errorf("--local-address %q: not an IP address", o.LocalAddress)
		}
		d := &net.Dialer{Timeout: o.ConnectTimeout, KeepAlive: 30 * time.Second, LocalAddr: &net.TCPAddr{IP: ip}}
		eo.Dial = d.DialContext
	}
	eo.ConnectTimeout = o.ConnectTimeout
	switch o.Transport {
	case "auto":
	case "polling":
		eo.Transports = []engineio.Transport{engineio.Polling}
	case "websocket":
		eo.Transports = []engineio.Transport{engineio.WebSocket}
	default:
		return nil, fmt.Errorf("--transport %q: want auto, polling or websocket", o.Transport)
	}
	switch o.EIO {
	case "auto":
	case "3":
		eo.Version = engineio.Version3
	case "4":
		eo.Version = engineio.Version4
	default:
		return nil, fmt.Errorf("--eio %q: want auto, 3 or 4", o.EIO)
	}
	switch o.Parser {
	case "json":
	case "msgpack":
		c.manager.Parser = sioclient.Msgpack
	default:
		return nil, fmt.Errorf("--parser %q: want json or msgpack", o.Parser)
	}
	if eo.Header, err = parseHeaders(o.Headers); err != nil {
		return nil, err
	}
	if eo.TLSConfig, err = o.tlsConfig(); err != nil {
		return nil, err
	}
	if o.Proxy != "" {
		pu, err := url.Parse(o.Proxy)
		if err != nil || pu.Host == "" {
			return nil, fmt.Errorf("--proxy %q: not a URL", o.Proxy)
		}
		eo.Proxy = http.ProxyURL(pu)
	}
	if o.NoReconnect && o.flags != nil && o.flags.Changed("reconnect") && o.Reconnect {
		return nil, fmt.Errorf("--reconnect and --no-reconnect say opposite things; give one")
	}
	switch {
	case o.ReconnectAttempts < 0:
		return nil, fmt.Errorf("--reconnect-attempts %d: want 0 (no limit) or more", o.ReconnectAttempts)
	case o.ReconnectDelay < 0 || o.ReconnectDelayMax < 0:
		return nil, fmt.Errorf("--reconnect-delay and --reconnect-delay-max cannot be negative")
	}
	c.manager.NoReconnect = !o.Reconnect || o.NoReconnect
	c.manager.FailFast = !o.WaitForServer
	c.manager.ReconnectAttempts = o.ReconnectAttempts
	c.manager.ReconnectDelay = o.ReconnectDelay
	c.manager.ReconnectDelayMax = o.ReconnectDelayMax
	if o.ConnectTimeout <= 0 {
		return nil, fmt.Errorf("--connect-timeout must be positive")
	}

	if o.AuthCmd != "" && o.Auth != "" {
		return nil, fmt.Errorf("give the auth payload with --auth or --auth-cmd, not both")
	}
	if o.AuthCmd != "" {
		cmd, timeout := o.AuthCmd, o.ConnectTimeout
		c.socket.AuthFunc = func(ctx context.Context) (json.RawMessage, error) {
			out, err := runHelper(ctx, "--auth-cmd", cmd, timeout)
			if err != nil {
				return nil, err
			}
			auth, err := readAuth(string(out))
			if err != nil {
				return nil, outcome.Errorf(outcome.Failed, "--auth-cmd %q: its output %v", cmd, strings.TrimPrefix(err.Error(), "--auth "))
			}
			return auth, nil
		}
	}
	if len(o.HeaderCmds) > 0 {
		cmds, timeout := slices.Clone(o.HeaderCmds), o.ConnectTimeout
		c.manager.HeaderFunc = func(ctx context.Context) (http.Header, error) {
			h := http.Header{}
			for _, cmd := range cmds {
				out, err := runHelper(ctx, "--header-cmd", cmd, timeout)
				if err != nil {
					return nil, err
				}
				lines := strings.Split(strings.TrimRight(string(out), "\r\n"), "\n")
				got, err := parseHeaders(lines)
				if err != nil || strings.TrimSpace(string(out)) == "" {
					// Not quoted: a helper's output is a secret.
					return nil, outcome.Errorf(outcome.Failed, "--header-cmd %q: want \"Name: value\" lines, got %d bytes that are not (not shown, as they may hold a secret)", cmd, len(out))
				}
				for k, vs := range got {
					h[k] = append(h[k], vs...)
				}
			}
			return h, nil
		}
	}
	if o.Auth != "" {
		auth, err := readAuth(o.Auth)
		if err != nil {
			return nil, err
		}
		c.socket.Auth = auth
	}
	switch {
	case o.Retries < 0:
		return nil, fmt.Errorf("--retries %d: want 0 or more", o.Retries)
	case o.AckTimeout < 0:
		return nil, fmt.Errorf("--ack-timeout cannot be negative")
	case o.Retries > 0 && o.AckTimeout == 0:
		return nil, fmt.Errorf("--retries %d resends an emit whose ack does not come in time: give --ack-timeout", o.Retries)
	case o.Retries == 0 && o.AckTimeout > 0:
		return nil, fmt.Errorf("--ack-timeout is how long each try waits with --retries; without retries, the wait for an ack is --timeout")
	}
	c.socket.Retries = o.Retries
	c.socket.AckTimeout = o.AckTimeout
	c.socket.Query = q
	eo.Redact = o.Redact
	if o.Trace {
		eo.Trace = o.traceWriter(trace).Trace
	}
	return c, nil
}

// parseServerURL reads the server URL and the namespace its path names.
func parseServerURL(raw string) (*url.URL, string, error) {
	u, err := engineio.ParseServerURL(raw)
	if err != nil {
		return nil, "", err
	}
	nsp := strings.TrimSuffix(u.Path, "/")
	if nsp == "" {
		nsp = "/"
	}
	return u, nsp, nil
}

func parseHeaders(hs []string) (http.Header, error) {
	h := http.Header{}
	for _, kv := range hs {
		k, v, ok := strings.Cut(kv, ":")
		k = strings.TrimSpace(k)
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			return nil, fmt.Errorf("--header %q: want \"Name: value\"", kv)
		}
		if strings.ContainsAny(kv, "\r\n\x00") {
			return nil, fmt.Errorf("--header %q: a header cannot hold CR, LF or NUL", kv)
		}
		h.Add(k, strings.TrimSpace(v))
	}
	return h, nil
}

func (o *ConnOptions) tlsConfig() (*tls.Config, error) {
	var min uint16
	switch o.TLSMin {
	case "1.2", "":
		min = tls.VersionTLS12
	case "1.3":
		min = tls.VersionTLS13
	default:
		return nil, fmt.Errorf("--tls-min %q: want 1.2 or 1.3", o.TLSMin)
	}
	if !o.Insecure && o.CACert == "" && o.Cert == "" && o.Key == "" && o.PFX == "" && o.ServerName == "" && min == tls.VersionTLS12 {
		return nil, nil
	}
	cfg := &tls.Config{InsecureSkipVerify: o.Insecure, MinVersion: min, ServerName: o.ServerName}
	if o.CACert != "" {
		pem, err := cliargs.ReadFile(o.CACert)
		if err != nil {
			return nil, fmt.Errorf("--cacert: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--cacert %s: no PEM certificate in it", o.CACert)
		}
		cfg.RootCAs = pool
	}
	if (o.Cert == "") != (o.Key == "") {
		return nil, errors.New("--cert and --key go together")
	}
	if o.PFX != "" && o.Cert != "" {
		return nil, errors.New("give the client certificate with --pfx or with --cert and --key, not both")
	}
	if o.PassphraseStdin && o.PFX == "" {
		return nil, errors.New("--passphrase-stdin reads the passphrase of --pfx: give --pfx")
	}
	if o.PFX != "" {
		pair, err := o.loadPFX()
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	if o.Cert != "" {
		pair, err := tls.LoadX509KeyPair(o.Cert, o.Key)
		if err != nil {
			return nil, fmt.Errorf("--cert/--key: %v", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}

// readAuth reads --auth: a JSON object, or @file holding one.
func readAuth(s string) (json.RawMessage, error) {
	data := []byte(s)
	if strings.HasPrefix(s, "@") {
		var err error
		if data, err = cliargs.ReadFile(s[1:]); err != nil {
			return nil, fmt.Errorf("--auth: %v", err)
		}
	}
	data = bytes.TrimSpace(data)
	var obj map[string]json.RawMessage
	if json.Valid(data) && len(data) > 0 && data[0] != '{' {
		// Named by its kind, not quoted: the payload is a secret.
		return nil, fmt.Errorf("--auth must be a JSON object, not %s", jsonKind(data))
	}
	if err := json.Unmarshal(data, &obj); err != nil {
		return nil, fmt.Errorf("--auth must be a JSON object: %v", err)
	}
	return data, nil
}

// jsonKind names the kind of a valid JSON value that is not an object.
func jsonKind(v []byte) string {
	switch v[0] {
	case '"':
		return "a string"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// loadPFX reads the --pfx file, with the passphrase from standard input
// when --passphrase-stdin (read once), else none.
func (o *ConnOptions) loadPFX() (tls.Certificate, error) {
	data, err := cliargs.ReadFile(o.PFX)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("--pfx: %v", err)
	}
	pass := ""
	if o.PassphraseStdin {
		if o.passphrase == nil {
			in := o.Stdin
			if in == nil {
				in = os.Stdin
			}
			line, err := readLine(in)
			if err != nil {
				return tls.Certificate{}, fmt.Errorf("--passphrase-stdin: %v", err)
			}
			o.passphrase = &line
		}
		pass = *o.passphrase
	}
	key, cert, chain, err := pkcs12.DecodeChain(data, pass)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("--pfx %s: %v", o.PFX, err)
	}
	pair := tls.Certificate{Certificate: [][]byte{cert.Raw}, PrivateKey: key, Leaf: cert}
	for _, c := range chain {
		pair.Certificate = append(pair.Certificate, c.Raw)
	}
	return pair, nil
}

// readLine reads one line a byte at a time, so that what follows it is
// left for the command, without its line ending.
func readLine(r io.Reader) (string, error) {
	var line []byte
	b := make([]byte, 1)
	for len(line) < 4096 {
		n, err := r.Read(b)
		if n == 1 {
			if b[0] == '\n' {
				return strings.TrimSuffix(string(line), "\r"), nil
			}
			line = append(line, b[0])
			continue
		}
		if err == io.EOF {
			return strings.TrimSuffix(string(line), "\r"), nil
		}
		if err != nil {
			return "", err
		}
	}
	return "", errors.New("the first line of standard input is over 4096 bytes")
}

// runHelper runs a credential helper (--auth-cmd, --header-cmd) with the
// shell and returns its standard output; a failure names the command and
// gives the end of its standard error. ctx bounds it: the connection
// attempt's time, timeout (--connect-timeout) at most, after which the
// helper and every process it started are killed and the error says the
// command did not finish (a failure to connect).
func runHelper(ctx context.Context, flag, command string, timeout time.Duration) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", command)
	killGroup(cmd)
	// What it started and left holding its output open (sh -c 'x &') is
	// not waited for past this.
	cmd.WaitDelay = time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if errors.Is(err, exec.ErrWaitDelay) && cmd.ProcessState != nil && cmd.ProcessState.Success() && ctx.Err() == nil {
		err = nil // it finished; something it left running held the output
	}
	switch {
	case err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return nil, outcome.Errorf(outcome.Unreachable, "%s %q did not finish within %v (--connect-timeout), and was killed", flag, command, timeout)
	case err != nil && ctx.Err() != nil:
		return nil, fmt.Errorf("%s %q was stopped: %w", flag, command, ctx.Err())
	case err != nil:
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 500 {
			msg = "…" + msg[len(msg)-500:]
		}
		if msg != "" {
			return nil, outcome.Errorf(outcome.Failed, "%s %q failed: %v: %s", flag, command, err, strings.ReplaceAll(msg, "\n", " / "))
		}
		return nil, outcome.Errorf(outcome.Failed, "%s %q failed: %v", flag, command, err)
	case len(out) > 1<<20:
		return nil, outcome.Errorf(outcome.Failed, "%s %q: its output is over 1 MiB", flag, command)
	}
	return out, nil
}
