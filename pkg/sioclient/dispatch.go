package sioclient

import "sync"

// dispatcher runs callbacks one at a time, in the order they were queued,
// on its own goroutine, so that user code never runs with a lock held and
// never sees events out of order. The queue is unbounded: a slow callback
// delays later ones but never blocks the connection.
type dispatcher struct {
	mu     sync.Mutex
	room   *sync.Cond // signalled when the queue is taken
	queue  []item
	wake   chan struct{}
	closed bool
	done   chan struct{}
}

// item is one queued callback: an event for a socket's handlers (the
// common case, queued without allocating a closure) or a function.
type item struct {
	s  *Socket
	ev *Event
	f  func()
}

func newDispatcher() *dispatcher {
	d := &dispatcher{wake: make(chan struct{}, 1), done: make(chan struct{})}
	d.room = sync.NewCond(&d.mu)
	go d.run()
	return d
}

// post queues f. After close it does nothing.
func (d *dispatcher) post(f func()) { d.push(item{f: f}) }

// postEvent queues an event for a socket's handlers.
func (d *dispatcher) postEvent(s *Socket, ev *Event) { d.push(item{s: s, ev: ev}) }

func (d *dispatcher) push(it item) {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	d.queue = append(d.queue, it)
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

func (d *dispatcher) run() {
	defer close(d.done)
	var spare []item // the last batch's array, reused for the queue
	for {
		d.mu.Lock()
		batch := d.queue
		d.queue = spare[:0]
		closed := d.closed
		d.room.Broadcast()
		d.mu.Unlock()
		for i, it := range batch {
			if it.f != nil {
				it.f()
			} else {
				it.s.runHandlers(it.ev)
			}
			batch[i] = item{}
		}
		spare = batch
		if closed && len(batch) == 0 {
			return
		}
		if len(batch) == 0 {
			<-d.wake
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
	<-d.done
}
