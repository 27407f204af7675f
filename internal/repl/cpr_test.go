package repl

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// screen is the terminal's output side: what the gate wrote to it, and
// a hook run on each query.
type screen struct {
	mu      sync.Mutex
	b       bytes.Buffer
	onQuery func()
}

func (s *screen) Write(b []byte) (int, error) {
	s.mu.Lock()
	s.b.Write(b)
	s.mu.Unlock()
	if bytes.Equal(b, cprQuery) && s.onQuery != nil {
		s.onQuery()
	}
	return len(b), nil
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *screen) queries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Count(s.b.Bytes(), cprQuery)
}

// readN reads n bytes from g, failing the test if they take long.
func readN(t *testing.T, g *cprGate, n int) string {
	t.Helper()
	got := make(chan string, 1)
	go func() {
		b := make([]byte, n)
		k, _ := io.ReadFull(g, b)
		got <- string(b[:k])
	}()
	select {
	case s := <-got:
		return s
	case <-time.After(5 * time.Second):
		t.Fatalf("no %d bytes from the gate", n)
		return ""
	}
}

// TestCPRGateAnswered: a terminal that answers; what was typed before
// the answer comes after it, in the order typed.
func TestCPRGateAnswered(t *testing.T) {
	tr, tw := io.Pipe()
	out := &screen{}
	asked := make(chan struct{})
	out.onQuery = func() { close(asked) }
	g := newCPRGate(tr, out, time.Hour)
	defer g.Close()

	go func() {
		tw.Write([]byte("ab")) // typed while a command ran
		<-asked
		tw.Write([]byte("cd\x1b[24;7Ref"))
	}()
	g.Write(cprQuery)
	want := "\x1b[24;7R" + "abcdef"
	if got := readN(t, g, len(want)); got != want {
		t.Errorf("read %q, want %q", got, want)
	}
	g.Write([]byte("sio> "))
	if got := out.String(); got != "\x1b[6nsio> " {
		t.Errorf("the terminal got %q", got)
	}

	// The next query goes to the terminal too, and its answer may come
	// in pieces.
	out.onQuery = func() { go func() { tw.Write([]byte("\x1b[3;")); tw.Write([]byte("9Rx")) }() }
	g.Write(cprQuery)
	if got := readN(t, g, 7); got != "\x1b[3;9Rx" {
		t.Errorf("read %q", got)
	}
	if out.queries() != 2 {
		t.Errorf("%d queries reached the terminal, want 2", out.queries())
	}
	tw.Close()
	if n, err := g.Read(make([]byte, 8)); n != 0 || err != io.EOF {
		t.Errorf("after the end of input: %d, %v", n, err)
	}

	// Once the input has ended, a query is answered here: the terminal's
	// answer would go to whatever reads the terminal next.
	g.Write(cprQuery)
	if got := readN(t, g, len(cprColumn)); got != string(cprColumn) || out.queries() != 2 {
		t.Errorf("a query after the end of input: read %q, %d queries reached the terminal", got, out.queries())
	}
}

// TestCPRGateSilent: a terminal that never answers is waited for once,
// then answered for at once; typed input is kept in order throughout.
func TestCPRGateSilent(t *testing.T) {
	tr, tw := io.Pipe()
	out := &screen{}
	const wait = 30 * time.Millisecond
	g := newCPRGate(tr, out, wait)
	defer g.Close()

	go tw.Write([]byte("exit\r"))
	start := time.Now()
	g.Write(cprQuery)
	want := string(cprColumn) + "exit\r"
	if got := readN(t, g, len(want)); got != want {
		t.Errorf("read %q, want %q", got, want)
	}
	if d := time.Since(start); d < wait {
		t.Errorf("answered for the terminal after %v, before the wait of %v", d, wait)
	}

	// Later queries do not reach the terminal and cost no wait.
	for range 3 {
		start = time.Now()
		g.Write(cprQuery)
		if got := readN(t, g, len(cprColumn)); got != string(cprColumn) {
			t.Errorf("read %q", got)
		}
		if d := time.Since(start); d >= wait {
			t.Errorf("a later query waited %v", d)
		}
	}
	if out.queries() != 1 {
		t.Errorf("%d queries reached the terminal, want 1", out.queries())
	}

	// An answer that comes late is passed on as input: readline skips it.
	go tw.Write([]byte("\x1b[5;5Rq"))
	if got := readN(t, g, 7); got != "\x1b[5;5Rq" {
		t.Errorf("read %q", got)
	}
	tw.Close()
}

// peakReader notes how much the gate held each time it read more.
type peakReader struct {
	io.Reader
	g    *cprGate
	peak int
}

func (r *peakReader) Read(p []byte) (int, error) {
	r.g.mu.Lock()
	r.peak = max(r.peak, len(r.g.held))
	r.g.mu.Unlock()
	return r.Reader.Read(p)
}

// TestCPRGateHolds: while a query waits, the gate reads no more than it
// may hold in search of the answer, then answers it; all that was typed
// arrives, in order.
func TestCPRGateHolds(t *testing.T) {
	tr, tw := io.Pipe()
	in := &peakReader{Reader: tr}
	g := newCPRGate(in, &screen{}, time.Hour)
	in.g = g
	defer g.Close()
	g.Write(cprQuery)

	paste := strings.Repeat("0123456789abcdef", 2*cprHeld/16)
	go func() {
		tw.Write([]byte(paste))
		tw.Write([]byte("\x1b[1;2R"))
		tw.Close()
	}()
	// The query is answered here, as the terminal's answer is behind
	// the paste; that answer then comes as input, which readline skips.
	want := string(cprColumn) + paste + "\x1b[1;2R"
	if got := readN(t, g, len(want)); got != want {
		t.Errorf("read %d bytes, not the answer, the paste and the terminal's answer", len(got))
	}
	if in.peak >= cprHeld {
		t.Errorf("the gate held %d bytes and read more", in.peak)
	}
}

// TestCPRGateReadsOnDemand: nothing reads the terminal while readline
// does not, as between lines.
func TestCPRGateReadsOnDemand(t *testing.T) {
	tr, tw := io.Pipe()
	g := newCPRGate(tr, &screen{}, time.Hour)
	defer g.Close()
	typed := make(chan struct{})
	go func() {
		tw.Write([]byte("x"))
		close(typed)
	}()
	select {
	case <-typed:
		t.Fatal("the gate read the terminal with no Read")
	case <-time.After(50 * time.Millisecond):
	}
	if got := readN(t, g, 1); got != "x" {
		t.Errorf("read %q", got)
	}
	<-typed
	tw.Close()
}

// TestCPRGateClose: Close ends a Read under way.
func TestCPRGateClose(t *testing.T) {
	tr, tw := io.Pipe()
	g := newCPRGate(tr, &screen{}, time.Hour)
	done := make(chan error, 1)
	go func() {
		_, err := g.Read(make([]byte, 8))
		done <- err
	}()
	g.Close()
	select {
	case err := <-done:
		if err != io.EOF {
			t.Errorf("Read after Close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end the Read")
	}
	tw.Close() // the reading goroutine ends with the terminal's input
}
