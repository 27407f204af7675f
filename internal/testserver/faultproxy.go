package testserver

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"testing"
	"time"
)

// FaultProxy is a TCP proxy in front of a server that the test can break:
// pause both directions without closing (a half-open link), add latency
// with jitter, limit the bandwidth, close or reset every connection after
// some bytes from the server, or reset WebSocket upgrades once the server
// has switched protocols.
type FaultProxy struct {
	ln       net.Listener
	upstream string

	mu            sync.Mutex
	cond          *sync.Cond
	paused        bool
	latency       time.Duration // added to each chunk, each way
	jitter        time.Duration // up to this much more, at random, order kept
	bandwidth     int           // bytes per second each way; 0: unlimited
	cutAt         int64         // end a connection once it has passed this many bytes from the server; 0: never
	reset         bool          // end it with a TCP reset rather than a close
	resetUpgrades bool          // reset a WebSocket upgrade once the 101 has passed
	dropProbes    int           // upgrades of a polling session whose first client frame is dropped
	conns         map[net.Conn]bool
	stopped       bool
	wg            sync.WaitGroup
}

// StartFaultProxy listens on a free loopback port in front of upstream
// (host:port) until the test ends.
func StartFaultProxy(t testing.TB, upstream string) *FaultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &FaultProxy{ln: ln, upstream: upstream, conns: map[net.Conn]bool{}}
	p.cond = sync.NewCond(&p.mu)
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.stop)
	return p
}

// URL is the proxy's base URL.
func (p *FaultProxy) URL() string { return "http://" + p.ln.Addr().String() }

// Pause stops passing bytes either way, keeping the connections open.
func (p *FaultProxy) Pause() {
	p.mu.Lock()
	p.paused = true
	p.mu.Unlock()
}

// Resume passes bytes again.
func (p *FaultProxy) Resume() {
	p.mu.Lock()
	p.paused = false
	p.cond.Broadcast()
	p.mu.Unlock()
}

// Latency delays every chunk each way by d plus up to jitter more, chosen
// at random per chunk; bytes keep their order, as over TCP.
func (p *FaultProxy) Latency(d, jitter time.Duration) {
	p.mu.Lock()
	p.latency, p.jitter = d, jitter
	p.mu.Unlock()
}

// Bandwidth limits each direction of each connection to bytesPerSecond
// (0: unlimited).
func (p *FaultProxy) Bandwidth(bytesPerSecond int) {
	p.mu.Lock()
	p.bandwidth = bytesPerSecond
	p.mu.Unlock()
}

// CutAfter closes each new connection once n bytes from the server went
// through it.
func (p *FaultProxy) CutAfter(n int64) {
	p.mu.Lock()
	p.cutAt, p.reset = n, false
	p.mu.Unlock()
}

// ResetAfter resets (TCP RST, both sides) each new connection once n bytes
// from the server went through it.
func (p *FaultProxy) ResetAfter(n int64) {
	p.mu.Lock()
	p.cutAt, p.reset = n, true
	p.mu.Unlock()
}

// ResetUpgrades resets every WebSocket upgrade once the server's answer to
// it (the 101) has passed: the client has switched protocols and its
// first frames meet a reset. Other requests pass.
func (p *FaultProxy) ResetUpgrades() {
	p.mu.Lock()
	p.resetUpgrades = true
	p.mu.Unlock()
}

// DropProbes drops what the client sends first after the request, on
// the next n WebSocket upgrades of a polling session (the probe), as a
// balancer that hands over connections can lose it.
func (p *FaultProxy) DropProbes(n int) {
	p.mu.Lock()
	p.dropProbes = n
	p.mu.Unlock()
}

func (p *FaultProxy) stop() {
	p.mu.Lock()
	p.stopped, p.paused = true, false
	for c := range p.conns {
		c.Close()
	}
	p.cond.Broadcast()
	p.mu.Unlock()
	p.ln.Close()
	p.wg.Wait()
}

func (p *FaultProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", p.upstream)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		if p.stopped {
			p.mu.Unlock()
			c.Close()
			up.Close()
			return
		}
		p.conns[c], p.conns[up] = true, true
		if p.bandwidth > 0 {
			// Bytes wait where they would on a slow link: in the
			// sender's socket, not in the proxy.
			for _, x := range []net.Conn{c, up} {
				x.(*net.TCPConn).SetReadBuffer(max(p.bandwidth/10, 4096))
			}
		}
		l := &link{p: p, client: c, server: up, cutAt: p.cutAt, reset: p.reset, resetUpgrade: p.resetUpgrades}
		p.mu.Unlock()
		p.wg.Add(2)
		go func() { defer p.wg.Done(); l.pipe(up, c, false) }()
		go func() { defer p.wg.Done(); l.pipe(c, up, true) }()
	}
}

// link is one proxied connection: the client's side and the server's.
type link struct {
	p              *FaultProxy
	client, server net.Conn
	cutAt          int64
	reset          bool
	resetUpgrade   bool

	mu        sync.Mutex
	upgrading bool // the client's request asked for a WebSocket
	dropNext  bool // drop the client's next chunk (DropProbes; its reading goroutine's own)
	doReset   bool
	ended     bool
}

func (l *link) resetNow() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.doReset
}

// end closes both sides, with a reset when rst.
func (l *link) end(rst bool) {
	l.mu.Lock()
	if l.ended {
		l.mu.Unlock()
		return
	}
	l.ended = true
	l.mu.Unlock()
	for _, c := range []net.Conn{l.client, l.server} {
		if tc, ok := c.(*net.TCPConn); ok && rst {
			tc.SetLinger(0)
		}
		c.Close()
	}
	l.p.mu.Lock()
	delete(l.p.conns, l.client)
	delete(l.p.conns, l.server)
	l.p.mu.Unlock()
}

// chunk is what one read brought, with when it may be delivered.
type chunk struct {
	data []byte
	at   time.Time
}

// pipe copies src to dst with the proxy's faults; fromServer says which
// direction this is (the cut and the upgrade reset count server bytes).
// Reading and writing are apart so that latency delays bytes without
// slowing the stream below what the bandwidth allows.
func (l *link) pipe(dst io.Writer, src io.Reader, fromServer bool) {
	l.p.mu.Lock()
	bw := l.p.bandwidth
	l.p.mu.Unlock()
	size, queue := 32<<10, 64
	if bw > 0 {
		size, queue = max(bw/20, 1), 1
	}
	ch := make(chan chunk, queue)
	go func() {
		defer close(ch)
		var last time.Time
		first := true
		for {
			buf := make([]byte, size)
			n, err := src.Read(buf)
			if n > 0 {
				if !fromServer && first && l.resetUpgrade && isUpgrade(buf[:n]) {
					l.mu.Lock()
					l.upgrading = true
					l.mu.Unlock()
				}
				if !fromServer && first && isUpgrade(buf[:n]) && bytes.Contains(buf[:n], []byte("sid=")) {
					l.p.mu.Lock()
					if l.p.dropProbes > 0 {
						l.p.dropProbes--
						l.dropNext = true
					}
					l.p.mu.Unlock()
				} else if !fromServer && !first && l.dropNext {
					l.dropNext = false
					continue
				}
				first = false
				l.p.mu.Lock()
				lat, jit := l.p.latency, l.p.jitter
				l.p.mu.Unlock()
				at := time.Now().Add(lat)
				if jit > 0 {
					at = at.Add(rand.N(jit))
				}
				if at.Before(last) {
					at = last
				}
				last = at
				ch <- chunk{buf[:n], at}
			}
			if err != nil {
				return
			}
		}
	}()
	defer func() {
		l.end(l.resetNow()) // ends the reader's Read
		for range ch {
		}
	}()
	var passed int64
	for c := range ch {
		if d := time.Until(c.at); d > 0 {
			time.Sleep(d)
		}
		data := c.data
		if fromServer && l.cutAt > 0 && passed+int64(len(data)) > l.cutAt {
			data = data[:l.cutAt-passed]
		}
		if !l.write(dst, data) {
			return
		}
		passed += int64(len(data))
		if fromServer && l.cutAt > 0 && passed >= l.cutAt {
			l.mu.Lock()
			l.doReset = l.reset
			l.mu.Unlock()
			return
		}
		if fromServer {
			l.mu.Lock()
			up := l.upgrading
			if up {
				l.doReset = true
			}
			l.mu.Unlock()
			if up {
				return
			}
		}
	}
}

// write passes data on, holding while the proxy is paused and pacing it to
// the bandwidth; false when the link is done.
func (l *link) write(dst io.Writer, data []byte) bool {
	for len(data) > 0 {
		l.p.mu.Lock()
		for l.p.paused && !l.p.stopped {
			l.p.cond.Wait()
		}
		stopped, bw := l.p.stopped, l.p.bandwidth
		l.p.mu.Unlock()
		if stopped {
			return false
		}
		n := len(data)
		if bw > 0 {
			n = min(n, max(bw/20, 1)) // 50 ms worth at a time
		}
		if _, err := dst.Write(data[:n]); err != nil {
			return false
		}
		data = data[n:]
		if bw > 0 {
			time.Sleep(time.Duration(n) * time.Second / time.Duration(bw))
		}
	}
	return true
}

// isUpgrade tells a request for a WebSocket from its first bytes.
func isUpgrade(b []byte) bool {
	return bytes.Contains(bytes.ToLower(b), []byte("upgrade: websocket"))
}
