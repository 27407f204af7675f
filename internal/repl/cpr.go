package repl

import (
	"bytes"
	"io"
	"regexp"
	"sync"
	"time"
)

// cprWait is how long a terminal has to answer its first cursor position
// query before cprGate answers for it, from then on at once.
var cprWait = 250 * time.Millisecond

// cprHeld is how much typed input cprGate reads while a query waits for
// its answer, before it gives up on the answer.
const cprHeld = 64 << 10

var (
	cprQuery  = []byte("\x1b[6n")
	cprColumn = []byte("\x1b[1;1R") // column 1: what readline assumes after a line
	cprAnswer = regexp.MustCompile("\x1b\\[[0-9]+;[0-9]+R")
)

// cprGate stands between readline and the terminal, for the cursor
// position query that readline writes before each prompt and then waits
// for with no deadline. Readline writes to the gate and reads from it.
//
// A query written goes to the terminal, and what is typed is held back
// until the answer comes, which readline gets first: readline then never
// buffers typed input of its own while it waits (it panics past 128 KiB).
// A terminal that does not answer within the wait gets an answer made for
// it, column 1, and is not asked again: every later query is answered at
// once without reaching it. An answer that comes late reaches readline as
// input, which readline ignores.
//
// A goroutine reads the terminal, so that Read can stop waiting for an
// answer, but only when Read wants more: between lines nothing reads the
// terminal, which keeps what is typed, as it does without the gate (and
// sio in the background is not stopped for reading it). While a query
// waits, the gate reads up to cprHeld of typed input in search of the
// answer, then answers it here. The goroutine ends when the terminal's
// reader returns an error, or once the gate is closed (after the read
// under way, if there is one). Read is for one goroutine at a time;
// Write and Close may be called from any.
type cprGate struct {
	in   io.Reader
	out  io.Writer
	wait time.Duration

	mu       sync.Mutex
	held     []byte    // read from the terminal, not yet by readline
	answer   []byte    // the answer to the query, for readline before held
	asked    bool      // a query is out and not answered yet
	from     int       // where in held the answer may start
	deadline time.Time // when an unanswered query gets answered here
	silent   bool      // the terminal did not answer: it is not asked again
	wanted   bool      // Read wants the terminal read
	reading  bool      // a read of the terminal is under way
	err      error     // what ended the reading

	want      chan struct{} // wanted was set
	wake      chan struct{} // Read has something to look at
	done      chan struct{} // closed by Close
	closeOnce sync.Once
}

// newCPRGate returns a gate that reads in, to which out is the terminal's
// other side.
func newCPRGate(in io.Reader, out io.Writer, wait time.Duration) *cprGate {
	g := &cprGate{in: in, out: out, wait: wait,
		want: make(chan struct{}, 1), wake: make(chan struct{}, 1), done: make(chan struct{})}
	go g.pump()
	return g
}

// poke tells the goroutine that waits on c, if one does, to look again.
func poke(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// pump reads the terminal into held when Read wants it, and picks out
// the answer to a query.
func (g *cprGate) pump() {
	buf := make([]byte, 4096)
	for {
		select {
		case <-g.done:
			return
		default:
		}
		select {
		case <-g.want:
		case <-g.done:
			return
		}
		g.mu.Lock()
		if !g.wanted {
			g.mu.Unlock()
			continue
		}
		g.wanted, g.reading = false, true
		g.mu.Unlock()
		n, err := g.in.Read(buf)
		g.mu.Lock()
		g.reading = false
		g.held = append(g.held, buf[:n]...)
		if g.asked {
			if loc := cprAnswer.FindIndex(g.held[g.from:]); loc != nil {
				i, j := g.from+loc[0], g.from+loc[1]
				g.answer = append(g.answer, g.held[i:j]...)
				g.held = append(g.held[:i], g.held[j:]...)
				g.asked = false
			}
		}
		if err != nil {
			g.err = err
		}
		g.mu.Unlock()
		poke(g.wake)
		if err != nil {
			return
		}
	}
}

// Write writes b to the terminal; a query is answered here once the
// terminal has been found silent, or its input has ended.
func (g *cprGate) Write(b []byte) (int, error) {
	if !bytes.Equal(b, cprQuery) { // readline writes its query alone
		return g.out.Write(b)
	}
	g.mu.Lock()
	if g.silent || g.err != nil { // no answer would be read: it would reach the next program
		g.answer = append(g.answer, cprColumn...)
		g.mu.Unlock()
		poke(g.wake)
		return len(b), nil
	}
	g.asked, g.from, g.deadline = true, len(g.held), time.Now().Add(g.wait)
	g.mu.Unlock()
	return g.out.Write(b)
}

// Read gives readline the answer to its query first, then what was typed.
// While a query waits for its answer, it waits too, up to the deadline.
func (g *cprGate) Read(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for {
		select {
		case <-g.done:
			return 0, io.EOF
		default:
		}
		if g.asked {
			// No answer in time: the terminal is silent. No answer to
			// be read: the input ended, or so much was typed that the
			// answer, if it comes, is behind more than the gate holds.
			late := !time.Now().Before(g.deadline)
			if late || g.err != nil || len(g.held) >= cprHeld {
				g.answer = append(g.answer, cprColumn...)
				g.asked, g.silent = false, late
			}
		}
		if len(g.answer) > 0 {
			n := copy(p, g.answer)
			g.answer = g.answer[n:]
			return n, nil
		}
		if !g.asked && len(g.held) > 0 {
			n := copy(p, g.held)
			g.held = g.held[:copy(g.held, g.held[n:])]
			return n, nil
		}
		if !g.asked && g.err != nil {
			return 0, g.err
		}
		if !g.reading && g.err == nil {
			g.wanted = true
			poke(g.want)
		}
		var timer *time.Timer
		var timeout <-chan time.Time
		if g.asked {
			timer = time.NewTimer(time.Until(g.deadline))
			timeout = timer.C
		}
		g.mu.Unlock()
		select {
		case <-g.wake:
		case <-timeout:
		case <-g.done:
		}
		if timer != nil {
			timer.Stop()
		}
		g.mu.Lock()
	}
}

// Close ends a Read under way and every later one with io.EOF.
func (g *cprGate) Close() error {
	g.closeOnce.Do(func() { close(g.done); poke(g.wake) })
	return nil
}
