package engineio

import (
	"fmt"
	"io"
	"net/http"
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
	Binary    bool   // frames
	Err       error  // a failed request, the close of a WebSocket
}

// secretHeaders are the headers a trace shows as [redacted] unless asked.
var secretHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie"}

// RedactHeader returns h with the values of credential-bearing headers
// (Authorization, Cookie, Set-Cookie, Proxy-Authorization) replaced.
func RedactHeader(h http.Header) http.Header {
	var out http.Header
	for _, k := range secretHeaders {
		if _, ok := h[k]; ok {
			if out == nil {
				out = h.Clone()
			}
			out[k] = []string{"[redacted]"}
		}
	}
	if out == nil {
		return h
	}
	return out
}

// TraceWriter formats trace events as lines of text, one exchange or frame
// a line, headers indented below. It is safe for concurrent use.
type TraceWriter struct {
	mu          sync.Mutex
	w           io.Writer
	showSecrets bool
	maxBody     int
}

// NewTraceWriter returns a TraceWriter writing to w. Credentials in headers
// are redacted unless showSecrets is set.
func NewTraceWriter(w io.Writer, showSecrets bool) *TraceWriter {
	return &TraceWriter{w: w, showSecrets: showSecrets, maxBody: 2048}
}

// Trace writes one event; pass it as Options.Trace.
func (t *TraceWriter) Trace(e TraceEvent) {
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
		h = RedactHeader(h)
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
