package sioclient

import (
	"context"
	"errors"
	"time"

	"github.com/siocli/sio/pkg/codec"
)

// Emitter carries the flags of one emit, so that concurrent emits never see
// each other's flags. Get one from Socket.Timeout or Socket.Volatile; its
// methods return changed copies.
type Emitter struct {
	s          *Socket
	timeout    time.Duration
	volatile   bool
	noCompress bool
}

// Timeout returns an Emitter whose acks wait at most d.
func (s *Socket) Timeout(d time.Duration) Emitter { return Emitter{s: s, timeout: d} }

// Volatile returns an Emitter whose packets are dropped, with
// ErrNotConnected, when the socket is not connected, instead of buffered.
func (s *Socket) Volatile() Emitter { return Emitter{s: s, volatile: true} }

// Compress returns an Emitter that compresses its packets (the default,
// for messages of 1024 bytes and more on a WebSocket that negotiated
// permessage-deflate) or not.
func (s *Socket) Compress(compress bool) Emitter { return Emitter{s: s, noCompress: !compress} }

// Compress returns a copy of e with the compress flag set.
func (e Emitter) Compress(compress bool) Emitter { e.noCompress = !compress; return e }

// Timeout returns a copy of e whose acks wait at most d.
func (e Emitter) Timeout(d time.Duration) Emitter { e.timeout = d; return e }

// Volatile returns a copy of e that drops its packets when not connected.
func (e Emitter) Volatile() Emitter { e.volatile = true; return e }

// Emit sends an event with args (see codec.MarshalArgs for how each Go value
// is sent; []byte values become binary attachments). While the socket is
// not connected the packet is buffered and sent after the next connect.
func (s *Socket) Emit(event string, args ...any) error { return Emitter{s: s}.Emit(event, args...) }

// EmitWithAck sends an event and waits for the server's ack, until ctx is
// done or the timeout (the Emitter's, else SocketOptions.AckTimeout) runs
// out, which gives an *AckTimeoutError.
func (s *Socket) EmitWithAck(ctx context.Context, event string, args ...any) (*Ack, error) {
	return Emitter{s: s}.EmitWithAck(ctx, event, args...)
}

// eventPacket builds the EVENT packet for event and args.
func (s *Socket) eventPacket(event string, args []any) (*codec.Packet, error) {
	if codec.IsReservedEvent(event) {
		return nil, ErrReservedEvent
	}
	data, blobs, err := codec.MarshalEvent(event, args...)
	if err != nil {
		return nil, err
	}
	return &codec.Packet{Type: codec.Event, Namespace: s.nsp, Data: data, Attachments: blobs}, nil
}

// Emit sends an event with e's flags.
func (e Emitter) Emit(event string, args ...any) error {
	s := e.s
	p, err := s.eventPacket(event, args)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.volatile && s.state != Connected {
		return ErrNotConnected
	}
	if s.opts.Retries > 0 && !e.volatile {
		s.enqueueLocked(&retryItem{packet: p, event: event, noCompress: e.noCompress})
		return nil
	}
	return s.sendLocked(p, e.noCompress)
}

type ackResult struct {
	ack *Ack
	err error
}

// EmitWithAck sends an event with e's flags and waits for its ack.
func (e Emitter) EmitWithAck(ctx context.Context, event string, args ...any) (*Ack, error) {
	s := e.s
	p, err := s.eventPacket(event, args)
	if err != nil {
		return nil, err
	}
	timeout := e.timeout
	if timeout <= 0 {
		timeout = s.opts.AckTimeout
	}
	ch := make(chan ackResult, 1)
	start := time.Now()
	s.m.await()
	defer s.m.awaited()
	s.mu.Lock()
	if e.volatile && s.state != Connected {
		s.mu.Unlock()
		return nil, ErrNotConnected
	}
	if s.opts.Retries > 0 && !e.volatile {
		it := &retryItem{packet: p, event: event, result: ch, noCompress: e.noCompress}
		s.enqueueLocked(it)
		s.mu.Unlock()
		select {
		case r := <-ch:
			return r.ack, r.err
		case <-ctx.Done():
			s.dropRetry(it)
			return nil, ctx.Err()
		}
	}
	id := s.nextAckID
	s.nextAckID++
	p.ID, p.HasID = id, true
	s.acks[id] = &pendingAck{event: event, packet: p, sent: start, result: ch}
	if err := s.sendLocked(p, e.noCompress); err != nil {
		delete(s.acks, id)
		s.mu.Unlock()
		return nil, err
	}
	s.mu.Unlock()

	var expire <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		expire = t.C
	} else if ctx.Done() == nil {
		r := <-ch // nothing else can end the wait
		return r.ack, r.err
	}
	select {
	case r := <-ch:
		return r.ack, r.err
	case <-expire:
		s.dropAck(id, p)
		return nil, &AckTimeoutError{Namespace: s.nsp, Event: event, Timeout: timeout}
	case <-ctx.Done():
		s.dropAck(id, p)
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, &AckTimeoutError{Namespace: s.nsp, Event: event, Timeout: time.Since(start).Round(time.Millisecond)}
		}
		return nil, ctx.Err()
	}
}

// dropAck forgets an ack no longer awaited, and its packet if still
// buffered (the reference removes a timed-out packet from the buffer).
func (s *Socket) dropAck(id uint64, p *codec.Packet) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.acks, id)
	s.removeBufferedLocked(p)
}

func (s *Socket) removeBufferedLocked(p *codec.Packet) {
	for i, o := range s.sendBuf {
		if o.p == p {
			s.sendBuf = append(s.sendBuf[:i:i], s.sendBuf[i+1:]...)
			return
		}
	}
}

// retryItem is an emit under SocketOptions.Retries: it stays at the head of
// the socket's queue until acked or out of tries.
type retryItem struct {
	packet  *codec.Packet
	event   string
	tries   int
	pending bool
	curID   uint64
	timer   *time.Timer
	result  chan ackResult // nil for Emit: a final failure is reported as a lifecycle error

	noCompress bool
}

func (s *Socket) enqueueLocked(it *retryItem) {
	s.queue = append(s.queue, it)
	s.drainQueueLocked(false)
}

// drainQueueLocked sends the head of the queue when connected and it is not
// already in flight (force: resend it, as after a reconnect). Every send
// uses a new ack id.
func (s *Socket) drainQueueLocked(force bool) {
	if s.state != Connected || len(s.queue) == 0 {
		return
	}
	it := s.queue[0]
	if it.pending && !force {
		return
	}
	if it.timer != nil {
		it.timer.Stop()
	}
	delete(s.acks, it.curID)
	it.pending = true
	it.tries++
	id := s.nextAckID
	s.nextAckID++
	it.curID = id
	p := *it.packet
	p.ID, p.HasID = id, true
	s.acks[id] = &pendingAck{event: it.event, packet: &p, sent: time.Now(), done: func(a *Ack, err error) {
		s.onRetryResult(it, id, a, err)
	}}
	if s.opts.AckTimeout > 0 {
		it.timer = time.AfterFunc(s.opts.AckTimeout, func() {
			s.mu.Lock()
			_, waiting := s.acks[id]
			delete(s.acks, id)
			s.mu.Unlock()
			if waiting {
				s.onRetryResult(it, id, nil, &AckTimeoutError{Namespace: s.nsp, Event: it.event, Timeout: s.opts.AckTimeout})
			}
		})
	}
	if err := s.sendLocked(&p, it.noCompress); err != nil {
		// It can never be sent: give up on it now.
		delete(s.acks, id)
		if it.timer != nil {
			it.timer.Stop()
		}
		s.queue = s.queue[1:]
		if it.result != nil {
			it.result <- ackResult{nil, err}
		} else {
			s.m.lifecycle(Lifecycle{Type: LifecycleError, Namespace: s.nsp, Err: err})
		}
		s.drainQueueLocked(false)
	}
}

// onRetryResult handles the outcome of one send of a queued emit. It must be
// called without s.mu held.
func (s *Socket) onRetryResult(it *retryItem, id uint64, a *Ack, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) == 0 || s.queue[0] != it || it.curID != id {
		return // an older send of a packet since acknowledged or resent
	}
	if it.timer != nil {
		it.timer.Stop()
	}
	if err == nil || it.tries > s.opts.Retries {
		var at *AckTimeoutError
		if errors.As(err, &at) {
			c := *at
			c.Tries = it.tries
			err = &c
		}
		s.queue = s.queue[1:]
		if it.result != nil {
			it.result <- ackResult{a, err}
		} else if err != nil {
			s.m.lifecycle(Lifecycle{Type: LifecycleError, Namespace: s.nsp, Err: err})
		}
	}
	it.pending = false
	s.drainQueueLocked(false)
}

// dropRetry removes an item whose caller stopped waiting.
func (s *Socket) dropRetry(it *retryItem) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, x := range s.queue {
		if x == it {
			if it.timer != nil {
				it.timer.Stop()
			}
			delete(s.acks, it.curID)
			s.queue = append(s.queue[:i:i], s.queue[i+1:]...)
			if i == 0 {
				s.drainQueueLocked(false)
			}
			return
		}
	}
}
