package sioclient

import (
	"sync"
	"time"
)

// dispatcher runs callbacks one at a time, in the order they were queued,
// on its own goroutine, so that user code never runs with a lock held and
// never sees events out of order. The queue is unbounded: a slow callback
// delays later ones but never blocks the connection. The goroutine exits
// after idleExit with nothing to run and starts again with the next
// callback, so that an idle client costs no goroutine.
type dispatcher struct {
	mu      sync.Mutex
	room    *sync.Cond // signalled when the queue is taken
	queue   []item
	spare   []item // the last batch's array, reused for the queue
	wake    chan struct{}
	running bool // a goroutine runs the queue
	closed  bool
	wg      sync.WaitGroup
}

// idleExit is how long the dispatcher's goroutine waits for work before
// it exits.
var idleExit = 2 * time.Second

// item is one queued callback: an event for a socket's handlers (the
// common case, queued without allocating a closure) or a function.
type item struct {
	s  *Socket
	ev *Event
	f  func()
}

func newDispatcher() *dispatcher {
	d := &dispatcher{wake: make(chan struct{}, 1)}
	d.room = sync.NewCond(&d.mu)
	return d
}

// post queues f. After close it does nothing.
func (d *dispatcher) post(f func()) { d.push(item{f: f}) }

// barrier returns a channel closed once every callback queued before it
// has run (at once after close).
func (d *dispatcher) barrier() <-chan struct{} {
	done := make(chan struct{})
	if !d.push(item{f: func() { close(done) }}) {
		close(done)
	}
	return done
}

// postEvent queues an event for a socket's handlers.
func (d *dispatcher) postEvent(s *Socket, ev *Event) { d.push(item{s: s, ev: ev}) }

// push queues it, and reports false after close.
func (d *dispatcher) push(it item) bool {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return false
	}
	d.queue = append(d.queue, it)
	if !d.running {
		d.running = true
		d.wg.Add(1)
		go d.run()
	}
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
	return true
}

func (d *dispatcher) run() {
	defer d.wg.Done()
	var idle *time.Timer
	for {
		d.mu.Lock()
		batch := d.queue
		d.queue = d.spare[:0]
		d.spare = nil
		closed := d.closed
		d.room.Broadcast()
		if len(batch) == 0 && closed {
			d.running = false
			d.mu.Unlock()
			return
		}
		d.mu.Unlock()
		for i, it := range batch {
			if it.f != nil {
				it.f()
			} else {
				it.s.runHandlers(it.ev)
			}
			batch[i] = item{}
		}
		if len(batch) > 0 {
			d.mu.Lock()
			if d.spare == nil {
				d.spare = batch
			}
			d.mu.Unlock()
			continue
		}
		if idle == nil {
			idle = time.NewTimer(idleExit)
			defer idle.Stop()
		} else {
			idle.Reset(idleExit)
		}
		select {
		case <-d.wake:
		case <-idle.C:
			d.mu.Lock()
			if len(d.queue) == 0 && !d.closed {
				d.running = false
				d.mu.Unlock()
				return
			}
			d.mu.Unlock()
		}
	}
}

// queueLimit is how many callbacks may wait before waitRoom holds the
// Manager's reading back.
const queueLimit = 1024

// waitRoom waits while the queue is full, so that slow handlers push back
// on the connection instead of queueing without bound, unless overflow
// says the queue may grow for now. It must be called with no lock held,
// never from a callback.
func (d *dispatcher) waitRoom(overflow func() bool) {
	d.mu.Lock()
	for len(d.queue) >= queueLimit && !d.closed && !overflow() {
		d.room.Wait()
	}
	d.mu.Unlock()
}

// recheckRoom wakes waitRoom to look at overflow again.
func (d *dispatcher) recheckRoom() {
	d.mu.Lock()
	d.room.Broadcast()
	d.mu.Unlock()
}

// close runs what is queued, then stops the goroutine and waits for it. It
// must not be called from a callback.
func (d *dispatcher) close() {
	d.mu.Lock()
	d.closed = true
	d.room.Broadcast()
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
	d.wg.Wait()
}
