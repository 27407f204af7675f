package engineio

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// TraceKind is what a TraceEvent records.
type TraceKind int

// The kinds of trace events.
const (
	TraceRequest  TraceKind = iota + 1 // an HTTP request sent (polling, or the WebSocket handshake)
	TraceResponse                      // an HTTP response received, or the request's failure
	TraceFrame                         // a WebSocket message, either way
	TraceClosed                        // a WebSocket connection closed
)

// TraceEvent is one record of what crossed the wire.
type TraceEvent struct {
	Time      time.Time
	Kind      TraceKind
	Outgoing  bool
	Transport Transport
	Method    string // requests
	URL       string // requests and responses
	Status    int    // responses
	Header    http.Header
	Body      []byte // request or response body, frame data
	// Redacted, when set, is Body with the secrets the layer above marked
	// (Message.Redacted) replaced: what a trace shows unless told not to.
	Redacted []byte
	Binary   bool  // frames
	Err      error // a failed request, the close of a WebSocket
}

// secretHeaders are the headers that always carry credentials.
var secretHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie"}

// secretWords make a query parameter or header a credential when its
// name holds one (X-Api-Key, access_token, client_secret...); secretNames
// do when they are the whole name.
var (
	secretWords = []string{"token", "secret", "password", "passwd", "apikey", "api_key", "api-key", "credential", "jwt", "bearer"}
	secretNames = []string{"auth", "key", "sig", "signature", "pass", "pwd", "session", "sessionid", "session_id", "x-auth", "x-key"}
)

// IsSecretName says whether a query parameter or header of that name
// carries a credential, by its name, or by being one of extra (compared
// without regard to case). Traces, errors and reports print such values
// as [redacted].
func IsSecretName(name string, extra ...string) bool {
	n := strings.ToLower(name)
	for _, e := range extra {
		if strings.EqualFold(n, e) {
			return true
		}
	}
	if strings.HasPrefix(n, "sec-websocket-") {
		return false
	}
	if slices.ContainsFunc(secretHeaders, func(h string) bool { return strings.EqualFold(h, n) }) || slices.Contains(secretNames, n) {
		return true
	}
	return slices.ContainsFunc(secretWords, func(w string) bool { return strings.Contains(n, w) })
}

// Redacted is what a trace, an error or a report shows for a secret.
const Redacted = "[redacted]"

// RedactHeader returns h with the values of credential-bearing headers
// (Authorization, Cookie, X-Api-Key...; see IsSecretName) replaced.
func RedactHeader(h http.Header, extra ...string) http.Header {
	var out http.Header
	for k := range h {
		if IsSecretName(k, extra...) {
			if out == nil {
				out = h.Clone()
			}
			out[k] = []string{Redacted}
		}
	}
	if out == nil {
		return h
	}
	return out
}

// RedactURL returns the URL with the values of credential-named query
// parameters (token, access_token, sig...; see IsSecretName) and its
// user information replaced, keeping the rest as it was written. A string
// that does not parse is returned as it is.
func RedactURL(raw string, extra ...string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.RawQuery == "" && u.User == nil) {
		return raw
	}
	if u.User != nil {
		u.User = url.User("REDACTED")
	}
	parts := strings.Split(u.RawQuery, "&")
	for i, part := range parts {
		k, _, _ := strings.Cut(part, "=")
		name, err := url.QueryUnescape(k)
		if err == nil && IsSecretName(name, extra...) {
			parts[i] = k + "=" + Redacted
		}
	}
	u.RawQuery = ""
	out := u.String()
	if u.User != nil {
		out = strings.Replace(out, "REDACTED@", Redacted+"@", 1)
	}
	if q := strings.Join(parts, "&"); q != "" {
		if i := strings.IndexByte(out, '#'); i >= 0 {
			return out[:i] + "?" + q + out[i:]
		}
		out += "?" + q
	}
	return out
}

// withoutSecrets returns err, a request's failure, with the URL that
// net/http puts in it (a *url.Error) as RedactURL shows it, extra naming
// more parameters: the query of a request can hold credentials, and an
// error reaches terminals, logs and reports. The cache buster (the query
// parameter stamp) is left out: it tells the reader nothing.
func withoutSecrets(err error, stamp string, extra []string) error {
	ue, ok := err.(*url.Error)
	if !ok {
		return err
	}
	shown := *ue
	shown.URL = RedactURL(withoutParam(ue.URL, stamp), extra...)
	return &shown
}

// withoutParam returns the URL raw without the query parameter name.
func withoutParam(raw, name string) string {
	u, err := url.Parse(raw)
	if err != nil || name == "" || !u.Query().Has(name) {
		return raw
	}
	q := u.Query()
	q.Del(name)
	u.RawQuery = q.Encode()
	return u.String()
}

var urlInText = regexp.MustCompile(`(?i)\b(?:https?|wss?)://[^\s"'<>]+`)

// RedactText returns text with every URL in it redacted as RedactURL does,
// for errors and messages that quote a URL.
func RedactText(text string, extra ...string) string {
	if !strings.Contains(text, "://") {
		return text
	}
	return urlInText.ReplaceAllStringFunc(text, func(u string) string { return RedactURL(u, extra...) })
}

// RedactJSONText returns text, which holds JSON (a packet, a payload of
// packets), with the value of each JSON member named as a credential
// ("token":"…", "authorization":"…"; see IsSecretName, extra naming
// more) and the credentials of each URL in a JSON string (RedactURL)
// replaced: what a server sends back can quote what a client sent it, as
// an admin namespace's lists of sockets quote their handshakes. Text that
// is not JSON is left as it is around the strings it holds.
func RedactJSONText(text []byte, extra ...string) []byte {
	if bytes.IndexByte(text, '"') < 0 {
		return text
	}
	var out []byte // nil until something changes
	last := 0      // text[:last] is in out
	secretKey := false
	for i := 0; i < len(text); {
		if text[i] != '"' {
			i++
			continue
		}
		end := jsonStringEnd(text, i)
		if end < 0 {
			break // cut short: the rest is not a whole string
		}
		var s string
		if json.Unmarshal(text[i:end], &s) != nil {
			i = end
			continue
		}
		if isMemberName(text, end) {
			secretKey = IsSecretName(s, extra...)
			i = end
			continue
		}
		shown := s
		if secretKey {
			shown = Redacted
		} else if strings.ContainsAny(s, "?@") {
			shown = RedactURL(s, extra...)
		}
		secretKey = false
		if shown != s {
			out = append(out, text[last:i]...)
			out = appendJSONString(out, shown)
			last = end
		}
		i = end
	}
	if out == nil {
		return text
	}
	return append(out, text[last:]...)
}

// isMemberName says whether the JSON string that ends just before
// text[end] is a member's name: a colon follows it.
func isMemberName(text []byte, end int) bool {
	for ; end < len(text); end++ {
		switch text[end] {
		case ' ', '\t', '\n', '\r':
			continue
		case ':':
			return true
		}
		return false
	}
	return false
}

// jsonStringEnd returns the index just past the JSON string literal that
// starts at text[start], a quote, or -1 when it does not end.
func jsonStringEnd(text []byte, start int) int {
	for i := start + 1; i < len(text); i++ {
		switch text[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

// appendJSONString appends s as a JSON string, without the HTML escapes
// of encoding/json.
func appendJSONString(b []byte, s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

// TraceWriter formats trace events as lines of text, one exchange or frame
// a line, headers indented below. It is safe for concurrent use.
type TraceWriter struct {
	mu          sync.Mutex
	w           io.Writer
	showSecrets bool
	extra       []string
	maxBody     int
}

// NewTraceWriter returns a TraceWriter writing to w. Credentials in headers
// are redacted unless showSecrets is set.
func NewTraceWriter(w io.Writer, showSecrets bool) *TraceWriter {
	return &TraceWriter{w: w, showSecrets: showSecrets, maxBody: 2048}
}

// Redact adds names of query parameters and headers whose values the
// trace redacts, besides those IsSecretName knows. Call it before the
// first Trace.
func (t *TraceWriter) Redact(names ...string) { t.extra = append(t.extra, names...) }

// Trace writes one event; pass it as Options.Trace.
func (t *TraceWriter) Trace(e TraceEvent) {
	if !t.showSecrets {
		e.URL = RedactURL(e.URL, t.extra...)
		if e.Redacted != nil {
			e.Body = e.Redacted
		}
		if !e.Binary {
			e.Body = RedactJSONText(e.Body, t.extra...)
		}
		if e.Err != nil {
			e.Err = errors.New(RedactText(e.Err.Error(), t.extra...))
		}
	}
	var b strings.Builder
	b.WriteString(e.Time.Format("15:04:05.000000"))
	dir := " < "
	if e.Outgoing {
		dir = " > "
	}
	b.WriteString(dir)
	switch e.Kind {
	case TraceRequest:
		fmt.Fprintf(&b, "%s %s", e.Method, e.URL)
	case TraceResponse:
		if e.Err != nil {
			fmt.Fprintf(&b, "%s failed: %v", e.URL, e.Err)
		} else {
			fmt.Fprintf(&b, "HTTP %d %s", e.Status, e.URL)
		}
	case TraceFrame:
		kind := "text"
		if e.Binary {
			kind = "binary"
		}
		fmt.Fprintf(&b, "ws %s %d bytes", kind, len(e.Body))
	case TraceClosed:
		fmt.Fprintf(&b, "ws closed: %v", e.Err)
	}
	b.WriteByte('\n')
	h := e.Header
	if !t.showSecrets {
		h = RedactHeader(h, t.extra...)
	}
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(&b, "    %s: %s\n", k, v)
		}
	}
	if len(e.Body) > 0 {
		body := e.Body
		more := ""
		if len(body) > t.maxBody {
			body, more = body[:t.maxBody], fmt.Sprintf(" …(%d more bytes)", len(e.Body)-t.maxBody)
		}
		if e.Binary {
			fmt.Fprintf(&b, "    % x%s\n", body, more)
		} else {
			fmt.Fprintf(&b, "    %s%s\n", strings.Trim(fmt.Sprintf("%q", body), `"`), more)
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	io.WriteString(t.w, b.String())
}
