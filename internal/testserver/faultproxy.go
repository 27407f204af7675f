package testserver

import (
	"io"
	"net"
	"sync"
	"testing"
)

// FaultProxy is a TCP proxy in front of a server that the test can break:
// pause both directions without closing (a half-open link), resume, or
// cut every connection after some bytes from the server.
type FaultProxy struct {
	ln       net.Listener
	upstream string

	mu      sync.Mutex
	cond    *sync.Cond
	paused  bool
	cutAt   int64 // close a connection once it has passed this many bytes from the server; 0: never
	conns   map[net.Conn]bool
	stopped bool
	wg      sync.WaitGroup
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

// CutAfter closes each new connection once n bytes from the server went
// through it.
func (p *FaultProxy) CutAfter(n int64) {
	p.mu.Lock()
	p.cutAt = n
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
		cut := p.cutAt
		p.mu.Unlock()
		closeBoth := func() {
			c.Close()
			up.Close()
			p.mu.Lock()
			delete(p.conns, c)
			delete(p.conns, up)
			p.mu.Unlock()
		}
		p.wg.Add(2)
		go func() { defer p.wg.Done(); p.pipe(up, c, 0); closeBoth() }()
		go func() { defer p.wg.Done(); p.pipe(c, up, cut); closeBoth() }()
	}
}

// pipe copies src to dst, holding while paused, and returns after limit
// bytes when limit is positive.
func (p *FaultProxy) pipe(dst io.Writer, src io.Reader, limit int64) {
	buf := make([]byte, 32<<10)
	var passed int64
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			for p.paused && !p.stopped {
				p.cond.Wait()
			}
			stopped := p.stopped
			p.mu.Unlock()
			if stopped {
				return
			}
			chunk := buf[:n]
			if limit > 0 && passed+int64(n) > limit {
				chunk = buf[:limit-passed]
			}
			if _, werr := dst.Write(chunk); werr != nil {
				return
			}
			passed += int64(len(chunk))
			if limit > 0 && passed >= limit {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
