package e2e

import (
	"bytes"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a buffer that many goroutines write and read, and that
// signals every write, so that tests wait on what they expect rather than
// sleep and look again.
type lockedBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{} // closed at the next write
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.changed != nil {
		close(l.changed)
		l.changed = nil
	}
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// next returns a channel closed at the next write.
func (l *lockedBuffer) next() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.changed == nil {
		l.changed = make(chan struct{})
	}
	return l.changed
}

// await waits up to d, write by write, until ok holds for what was
// written; it returns whether it did.
func (l *lockedBuffer) await(d time.Duration, ok func(string) bool) bool {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		next := l.next() // before looking, so that no write is missed
		if ok(l.String()) {
			return true
		}
		select {
		case <-next:
		case <-deadline.C:
			return ok(l.String())
		}
	}
}

func TestBufferAwait(t *testing.T) {
	var b lockedBuffer
	go func() {
		for _, s := range []string{"a", "b", "c"} {
			b.Write([]byte(s))
		}
	}()
	if !b.await(5*time.Second, func(s string) bool { return s == "abc" }) {
		t.Fatalf("await: %q", b.String())
	}
	if b.await(10*time.Millisecond, func(s string) bool { return s == "never" }) {
		t.Fatal("await held for what was never written")
	}
}
