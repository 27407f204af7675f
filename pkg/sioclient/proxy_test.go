package sioclient

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// cutter is a TCP proxy to a server that can cut every connection and
// refuse new ones, as a network outage would.
type cutter struct {
	ln      net.Listener
	target  string
	mu      sync.Mutex
	conns   map[net.Conn]bool
	refuse  bool
	wg      sync.WaitGroup
	stopped bool
	up      atomic.Int64 // bytes from the client to the server
}

func newCutter(t *testing.T, target string) *cutter {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &cutter{ln: ln, target: target, conns: map[net.Conn]bool{}}
	c.wg.Add(1)
	go c.accept()
	t.Cleanup(c.stop)
	return c
}

func (c *cutter) URL() string { return "http://" + c.ln.Addr().String() }

func (c *cutter) accept() {
	defer c.wg.Done()
	for {
		down, err := c.ln.Accept()
		if err != nil {
			return
		}
		c.mu.Lock()
		if c.refuse || c.stopped {
			c.mu.Unlock()
			down.Close()
			continue
		}
		up, err := net.Dial("tcp", c.target)
		if err != nil {
			c.mu.Unlock()
			down.Close()
			continue
		}
		c.conns[down], c.conns[up] = true, true
		c.wg.Add(2)
		c.mu.Unlock()
		go c.pipe(up, down, &c.up)
		go c.pipe(down, up, nil)
	}
}

func (c *cutter) pipe(dst, src net.Conn, count *atomic.Int64) {
	defer c.wg.Done()
	n, _ := io.Copy(dst, src)
	if count != nil {
		count.Add(n)
	}
	dst.Close()
	src.Close()
}

// cut closes every connection and refuses new ones until resume.
func (c *cutter) cut() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refuse = true
	for conn := range c.conns {
		conn.Close()
	}
	c.conns = map[net.Conn]bool{}
}

func (c *cutter) resume() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refuse = false
}

func (c *cutter) stop() {
	c.mu.Lock()
	c.stopped = true
	c.mu.Unlock()
	c.ln.Close()
	c.cut()
	c.wg.Wait()
}
