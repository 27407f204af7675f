package engineio

import (
	"github.com/siocli/sio/pkg/engineio/wire"

	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// wsConn is one WebSocket carrying (or probing for) the session. Writes
// come from one goroutine at a time: the upgrade while probing, then the
// Conn's writer.
type wsConn struct {
	conn  *websocket.Conn
	rec   *recordingConn
	url   string
	trace func(TraceEvent)
	b64   bool // binary packets go as base64 text frames (ForceBase64)
	once  sync.Once
}

// wsFrame is a frame as read, before it is decoded.
type wsFrame struct {
	data   []byte
	binary bool
}

// dialWS opens a WebSocket to the server for version v, joining session sid
// when it is not empty. Compression never keeps it from opening: when the
// server answers the permessage-deflate offer with parameters gorilla
// does not take (aiohttp's server_no_context_takeover alone), it dials
// again without the offer.
func (c *Conn) dialWS(ctx context.Context, v Version, sid string) (*wsConn, error) {
	ws, err := c.dialWSOnce(ctx, v, sid, !c.opts.NoPerMessageDeflate)
	var te *TransportError
	if err != nil && !c.opts.NoPerMessageDeflate && errors.As(err, &te) && strings.Contains(te.Err.Error(), "invalid compression negotiation") {
		return c.dialWSOnce(ctx, v, sid, false)
	}
	return ws, err
}

// writeBuffers are the WebSocket write buffers, shared: a connection
// holds one only while it writes, so that idle connections cost none.
var writeBuffers = &sync.Pool{}

func (c *Conn) dialWSOnce(ctx context.Context, v Version, sid string, compress bool) (*wsConn, error) {
	hu := c.requestURL(WebSocket, v, sid)
	wu := *hu
	wu.Scheme = map[string]string{"http": "ws", "https": "wss"}[hu.Scheme]
	rec := &recordingConn{}
	d := websocket.Dialer{
		Proxy:             c.opts.Proxy,
		TLSClientConfig:   c.opts.TLSConfig,
		HandshakeTimeout:  c.opts.ConnectTimeout,
		Jar:               c.jar,
		EnableCompression: compress,
		WriteBufferPool:   writeBuffers,
		ReadBufferSize:    c.opts.ReadBufferSize,
		Subprotocols:      c.opts.Subprotocols,
		NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := c.opts.Dial(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return rec.wrap(conn), nil
		},
	}
	if hu.Scheme == "https" && !c.proxied(hu) {
		// Dial TLS here so that the recorder sees plain text.
		d.NetDialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			raw, err := c.opts.Dial(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			cfg := c.opts.TLSConfig.Clone()
			if cfg == nil {
				cfg = &tls.Config{}
			}
			if cfg.ServerName == "" {
				cfg.ServerName = hu.Hostname()
			}
			tc := tls.Client(raw, cfg)
			if err := tc.HandshakeContext(ctx); err != nil {
				raw.Close()
				return nil, err
			}
			return rec.wrap(tc), nil
		}
	}
	header := c.opts.Header.Clone()
	if c.opts.Trace != nil {
		h := header.Clone()
		if h == nil {
			h = http.Header{}
		}
		for _, ck := range c.jar.Cookies(hu) {
			h.Add("Cookie", ck.String())
		}
		c.opts.Trace(TraceEvent{Time: time.Now(), Kind: TraceRequest, Outgoing: true, Transport: WebSocket, Method: "GET", URL: wu.String(), Header: h})
	}
	conn, resp, err := d.DialContext(ctx, wu.String(), header)
	var body []byte
	if resp != nil && resp.Body != nil {
		body, _ = io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		resp.Body.Close()
	}
	if c.opts.Trace != nil {
		e := TraceEvent{Time: time.Now(), Kind: TraceResponse, Transport: WebSocket, URL: wu.String(), Body: body, Err: err}
		if resp != nil {
			e.Status, e.Header, e.Err = resp.StatusCode, resp.Header, nil
		}
		c.opts.Trace(e)
	}
	if err != nil {
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			return nil, newHTTPError("websocket", wu.String(), resp, body)
		}
		return nil, &TransportError{Op: "dial", Transport: WebSocket, Err: err}
	}
	conn.SetReadLimit(c.opts.ReadLimit)
	return &wsConn{conn: conn, rec: rec, url: wu.String(), trace: c.opts.Trace, b64: c.opts.ForceBase64}, nil
}

// proxied reports whether requests to u go through a proxy.
func (c *Conn) proxied(u *url.URL) bool {
	p, err := c.opts.Proxy(&http.Request{URL: u, Header: http.Header{}})
	return err == nil && p != nil
}

// openWebSocket makes the handshake over a WebSocket alone.
func (c *Conn) openWebSocket(ctx context.Context) ([]wire.Packet, error) {
	v := c.opts.Version
	dialV := v
	if dialV == VersionAuto {
		dialV = Version4
	}
	ws, err := c.dialWS(ctx, dialV, "")
	if err != nil {
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		ws.conn.SetReadDeadline(dl)
	}
	f, err := ws.readFrame()
	if err != nil {
		ws.close()
		return nil, ws.readError("handshake", err)
	}
	ws.conn.SetReadDeadline(time.Time{})
	if f.binary || len(f.data) == 0 || f.data[0] != '0' {
		ws.close()
		return nil, newProtocolError("handshake", errors.New("the first frame is not an open packet"), f.data)
	}
	info, err := wire.ParseHandshake(f.data[1:])
	if err != nil {
		ws.close()
		return nil, newProtocolError("handshake", err, f.data)
	}
	if v == VersionAuto && info.MaxPayload > 0 {
		// Only engine.io 6.2 and later send maxPayload, and they speak 4.
		// Otherwise the heartbeat, or the layer above, will tell.
		v = Version4
	}
	ws.rec.stop() // an HTTP answer after the switch can no longer come
	c.info, c.version, c.transport, c.ws = info, v, WebSocket, ws
	return nil, nil
}

func (w *wsConn) readFrame() (wsFrame, error) {
	typ, r, err := w.conn.NextReader()
	var data []byte
	if err == nil {
		data, err = readMessage(r)
	}
	if w.trace != nil {
		w.traceRead(data, typ == websocket.BinaryMessage, err)
	}
	if err != nil {
		return wsFrame{}, err
	}
	return wsFrame{data: data, binary: typ == websocket.BinaryMessage}, nil
}

// readScratch holds the buffers messages are first read into: most fit,
// and are then copied out at their size, so that reading a small message
// allocates only what it keeps.
var readScratch = sync.Pool{New: func() any { return new([512]byte) }}

// readMessage reads the rest of a message. A message larger than the
// scratch buffer grows as io.ReadAll grows it.
func readMessage(r io.Reader) ([]byte, error) {
	b := readScratch.Get().(*[512]byte)
	defer readScratch.Put(b)
	n := 0
	for n < len(b) {
		k, err := r.Read(b[n:])
		n += k
		if err == io.EOF {
			return append([]byte{}, b[:n]...), nil
		}
		if err != nil {
			return nil, err
		}
	}
	out := make([]byte, n, 2*n)
	copy(out, b[:])
	for {
		if len(out) == cap(out) {
			out = append(out, 0)[:len(out)]
		}
		k, err := r.Read(out[len(out):cap(out)])
		out = out[:len(out)+k]
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// traceRead traces a frame read, or the read's failure. It is a function
// of its own so that its event is not on the stack of every parked read:
// thousands of idle connections keep their reading goroutine's stack
// small.
//
//go:noinline
func (w *wsConn) traceRead(data []byte, binary bool, err error) {
	if err != nil {
		w.trace(TraceEvent{Time: time.Now(), Kind: TraceClosed, Transport: WebSocket, URL: w.url, Err: err})
		return
	}
	w.trace(TraceEvent{Time: time.Now(), Kind: TraceFrame, Transport: WebSocket, Body: data, Binary: binary})
}

// readError classifies a failed read: an HTTP answer written into the stream
// after 101 (a rejected protocol version), the read limit, or the network.
func (w *wsConn) readError(op string, err error) error {
	if he := w.rec.httpAfterSwitch(w.url); he != nil {
		he.Op = op
		return he
	}
	if errors.Is(err, websocket.ErrReadLimit) {
		return newProtocolError(op, ErrTooLarge, nil)
	}
	return &TransportError{Op: op, Transport: WebSocket, Err: err}
}

// decodeFrame turns a frame into a packet for version v.
func decodeFrame(f wsFrame, v Version) (wire.Packet, error) {
	return wire.DecodeFrame(f.data, f.binary, v)
}

// wsReadLoop reads the session's WebSocket until it fails or the session
// ends. When fresh is set, it hands the loop to a new goroutine once it
// has handled the session's first message (for Socket.IO, the namespace
// connect's answer): what that took grew this goroutine's stack, which
// the runtime would not shrink while it waits in a read (the waiting read
// keeps more than the quarter of it in use that shrinking allows), and
// thousands of idle connections each keep a waiting reader.
func (c *Conn) wsReadLoop(ws *wsConn, fresh bool) {
	defer c.wg.Done()
	for {
		c.waitInboxRoom()
		f, err := ws.readFrame()
		if err != nil {
			if c.ended() {
				return
			}
			var ce *websocket.CloseError
			if errors.As(err, &ce) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				c.shutdown(ReasonTransportClose, err)
			} else {
				c.shutdown(ReasonTransportError, ws.readError("read", err))
			}
			return
		}
		c.readMu.Lock()
		ok := c.handleFrameLocked(f)
		c.unlockRead()
		if !ok {
			return
		}
		if fresh && len(f.data) > 0 && (f.binary || f.data[0] == '4') {
			c.wg.Add(1)
			go c.wsReadLoop(ws, false)
			return
		}
	}
}

// handleFrameLocked decodes and handles one frame, or holds it while the
// version is unknown and the frame's meaning depends on it. c.readMu must be
// held. It returns false when the frame ended the session.
func (c *Conn) handleFrameLocked(f wsFrame) bool {
	c.mu.Lock()
	v := c.version
	if v == VersionAuto && (f.binary || len(c.held) > 0) {
		c.held = append(c.held, f)
		c.mu.Unlock()
		return true
	}
	c.mu.Unlock()
	p, err := decodeFrame(f, v)
	if err != nil {
		c.shutdown(ReasonParseError, newProtocolError("read", err, f.data))
		return false
	}
	c.handlePacket(p)
	return true
}

// writePackets writes each packet as a frame: text as its type digit and
// data, binary as raw data (Engine.IO 4) or type byte and data (3).
func (w *wsConn) writePackets(packets []wire.Packet, v Version) error {
	bp := frameBuffers.Get().(*[]byte)
	buf := *bp
	defer func() {
		if cap(buf) <= frameBufferLimit {
			*bp = buf[:0]
			frameBuffers.Put(bp)
		}
	}()
	for _, p := range packets {
		var binary bool
		buf, binary = wire.AppendFrame(buf[:0], p, v, w.b64)
		typ := websocket.TextMessage
		if binary {
			typ = websocket.BinaryMessage
		}
		if w.trace != nil {
			e := TraceEvent{Time: time.Now(), Kind: TraceFrame, Outgoing: true, Transport: WebSocket, Body: append([]byte(nil), buf...), Binary: binary}
			if p.Redacted != nil {
				r := p
				r.Data = p.Redacted
				e.Redacted, _ = wire.AppendFrame(nil, r, v, w.b64)
			}
			w.trace(e)
		}
		w.conn.EnableWriteCompression(!p.NoCompress && len(buf) >= compressThreshold)
		if err := w.conn.WriteMessage(typ, buf); err != nil {
			return &TransportError{Op: "write", Transport: WebSocket, Err: err}
		}
	}
	return nil
}

// frameBuffers hold the frames being written: the writer copies a frame
// into the WebSocket before it takes the next, so one buffer serves a
// batch, and idle connections hold none.
var frameBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// frameBufferLimit is the largest frame buffer kept for reuse.
const frameBufferLimit = 64 << 10

// compressThreshold is the size below which messages are not compressed,
// the reference client's perMessageDeflate threshold.
const compressThreshold = 1024

// messagePacket is the packet that carries m.
func messagePacket(m Message) wire.Packet {
	return wire.Packet{Type: wire.PacketMessage, Data: m.Data, Binary: m.Binary, NoCompress: m.NoCompress, Redacted: m.Redacted, Sent: m.Sent}
}

// closeGracefully sends a close frame and closes the connection.
func (w *wsConn) closeGracefully() {
	w.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	w.close()
}

func (w *wsConn) close() {
	w.once.Do(func() { w.conn.Close() })
}

// recordingConn keeps the first bytes read from a connection, so that an
// HTTP answer the server writes after 101 Switching Protocols can be shown.
type recordingConn struct {
	net.Conn
	mu   sync.Mutex
	buf  []byte
	done atomic.Bool // the session opened: nothing more to keep
}

// stop ends the recording and lets its bytes go.
func (r *recordingConn) stop() {
	r.done.Store(true)
	r.mu.Lock()
	r.buf = nil
	r.mu.Unlock()
}

const recordLimit = 8192

// NetConn is the connection under the recording.
func (r *recordingConn) NetConn() net.Conn { return r.Conn }

func (r *recordingConn) wrap(c net.Conn) net.Conn {
	r.Conn = c
	return r
}

func (r *recordingConn) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	if r.done.Load() {
		return n, err
	}
	r.mu.Lock()
	if room := recordLimit - len(r.buf); room > 0 && n > 0 {
		r.buf = append(r.buf, p[:min(n, room)]...)
	}
	r.mu.Unlock()
	return n, err
}

// httpAfterSwitch returns the HTTP response that follows the 101 response
// in what was read, if there is one.
func (r *recordingConn) httpAfterSwitch(u string) *HTTPError {
	r.mu.Lock()
	data := append([]byte(nil), r.buf...)
	r.mu.Unlock()
	i := bytes.Index(data, []byte(" 101 "))
	if i < 0 {
		return nil
	}
	end := bytes.Index(data[i:], []byte("\r\n\r\n"))
	if end < 0 {
		return nil
	}
	rest := data[i+end+4:]
	if !bytes.HasPrefix(rest, []byte("HTTP/1.")) {
		return nil
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(rest)), nil)
	if err != nil {
		line, _, _ := strings.Cut(string(rest), "\r\n")
		return &HTTPError{URL: u, Status: line, Body: rest, Code: wire.CodeNone, AfterSwitch: true}
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	e := newHTTPError("websocket", u, resp, body)
	e.AfterSwitch = true
	return e
}

// String describes the frame for errors.
func (f wsFrame) String() string {
	if f.binary {
		return fmt.Sprintf("binary frame of %d bytes", len(f.data))
	}
	return fmt.Sprintf("text frame %q", f.data)
}
