package admin

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Target says which sockets of a namespace an action is for: one socket,
// those in a room, or all of them.
type Target struct {
	Socket string
	Room   string
	All    bool
}

// filter is the action's filter argument: a room (a socket's id is a room
// too), or nil for the whole namespace.
func (t Target) filter() any {
	switch {
	case t.Socket != "":
		return t.Socket
	case t.Room != "":
		return t.Room
	}
	return nil
}

// TargetTo is the target of an emit --to: the socket of that id when the
// namespace has one, else the room of that name (a socket's id is a room of
// its own, so either reaches it).
func TargetTo(sockets []Socket, nsp, to string) Target {
	for _, s := range sockets {
		if s.ID == to && s.Namespace == nsp {
			return Target{Socket: to}
		}
	}
	return Target{Room: to}
}

// Filter keeps the sockets of a namespace, in a room, on a transport;
// empty fields keep all.
type Filter struct {
	Namespace, Room, Transport string
}

// Keeps reports whether the filter keeps s.
func (f Filter) Keeps(s *Socket) bool {
	return (f.Namespace == "" || s.Namespace == f.Namespace) &&
		(f.Room == "" || s.InRoom(f.Room)) &&
		(f.Transport == "" || s.Transport == f.Transport)
}

// Matches reports whether s is one of the target's sockets in nsp.
func (t Target) Matches(nsp string, s *Socket) bool {
	if s.Namespace != nsp {
		return false
	}
	switch {
	case t.Socket != "":
		return s.ID == t.Socket
	case t.Room != "":
		return s.InRoom(t.Room)
	}
	return true
}

// RefusedError is an action the server does not take, known before
// sending it from what the server's config offers.
type RefusedError struct{ Reason string }

func (e *RefusedError) Error() string { return e.Reason }

// check says whether the server takes action f for t. many is the
// feature that socket.io 4 servers list for taking it for a room or the
// whole namespace, "" when f takes those already.
func (c *Client) check(action string, f, many Feature, t Target) error {
	cfg := c.Config()
	switch {
	case cfg == nil:
		return &RefusedError{"the server has not said what it offers (no config)"}
	case cfg.ReadOnly():
		return &RefusedError{fmt.Sprintf("the server is read-only (instrumented with readonly: true): it takes no %s", action)}
	case !cfg.Has(f):
		return &RefusedError{fmt.Sprintf("the server does not offer %s (its config lists %v)", action, cfg.Features)}
	case many != "" && t.Socket == "" && !cfg.Has(many):
		return &RefusedError{fmt.Sprintf("the server takes %s one socket at a time (socket.io 3 lists no %s): give the socket's id", action, many)}
	}
	return nil
}

// Action is one of the four actions with what it is for.
type Action struct {
	Kind      string // emit, join, leave or disconnect
	Namespace string
	Target    Target
	Room      string // join, leave
	Close     bool   // disconnect: the whole connections
	Event     string // emit
	Args      []any  // emit
	// Wait bounds how long Act waits for the server to report the
	// changes (default 2.5 s).
	Wait time.Duration
}

// Result is what the server reported of an action.
type Result struct {
	// Matched are the listed sockets the action was for (development
	// mode only: a production-mode server lists none).
	Matched []Socket
	// Changes are those the server reported: joins, leaves, disconnects,
	// and, from socket.io 4.5 on, the events sent.
	Changes []Change
	// Expected is how many changes the action should make, 0 when sio
	// cannot know (emit, production mode).
	Expected int
	// Unconfirmed says the server reports no changes (production mode).
	Unconfirmed bool
}

// NoMatchError is an action for sockets the server does not list.
type NoMatchError struct {
	Namespace string
	Target    Target
}

func (e *NoMatchError) Error() string {
	return fmt.Sprintf("no socket of %s is %s", e.Namespace, e.Target.describe())
}

func (t Target) describe() string {
	switch {
	case t.Socket != "":
		return "the socket " + t.Socket
	case t.Room != "":
		return "in the room " + t.Room
	}
	return "there"
}

// Act takes the action and waits for the server to report what it did:
// the changes it should make, or, when sio cannot know how many (emit),
// until the server has been quiet for a second. It checks first that the
// server takes the action and, in development mode, that some socket is
// the action's.
func (c *Client) Act(ctx context.Context, a Action) (*Result, error) {
	r := &Result{}
	listed := c.Listed()
	for _, s := range c.Sockets() {
		if a.Target.Matches(a.Namespace, &s) {
			r.Matched = append(r.Matched, s)
		}
	}
	var kind ChangeKind
	for _, s := range r.Matched {
		switch a.Kind {
		case "join":
			if !s.InRoom(a.Room) {
				r.Expected++
			}
		case "leave":
			if s.InRoom(a.Room) {
				r.Expected++
			}
		case "disconnect":
			r.Expected++
		}
	}
	switch a.Kind {
	case "join":
		kind = RoomJoined
	case "leave":
		kind = RoomLeft
	case "disconnect":
		kind = SocketDisconnected
	case "emit":
		kind = EventSent
	default:
		return nil, fmt.Errorf("no action %q", a.Kind)
	}
	var err error
	switch a.Kind {
	case "join":
		err = c.check("join", FeatureJoin, FeatureMJoin, a.Target)
	case "leave":
		err = c.check("leave", FeatureLeave, FeatureMLeave, a.Target)
	case "disconnect":
		err = c.check("disconnect", FeatureDisconnect, FeatureMDisconnect, a.Target)
	case "emit":
		err = c.check("emit", FeatureEmit, "", a.Target)
	}
	if err != nil {
		return nil, err
	}
	if listed && len(r.Matched) == 0 {
		return nil, &NoMatchError{a.Namespace, a.Target}
	}

	var mu sync.Mutex
	got := make(chan struct{}, 1)
	remove := c.Observe(func(ch Change) {
		if ch.Kind != kind || ch.Namespace != a.Namespace || (kind != EventSent && a.Room != "" && ch.Room != a.Room) {
			return
		}
		mu.Lock()
		r.Changes = append(r.Changes, ch)
		mu.Unlock()
		select {
		case got <- struct{}{}:
		default:
		}
	})
	defer remove()
	switch a.Kind {
	case "join":
		err = c.sock.Emit("join", a.Namespace, a.Room, a.Target.filter())
	case "leave":
		err = c.sock.Emit("leave", a.Namespace, a.Room, a.Target.filter())
	case "disconnect":
		err = c.sock.Emit("_disconnect", a.Namespace, a.Close, a.Target.filter())
	case "emit":
		err = c.sock.Emit("emit", append([]any{a.Namespace, a.Target.filter(), a.Event}, a.Args...)...)
	}
	if err != nil {
		return nil, err
	}
	if !listed {
		r.Unconfirmed = true
		return r, nil
	}
	wait := a.Wait
	if wait <= 0 {
		wait = StatsWait
	}
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	quiet := 300 * time.Millisecond
	if r.Expected == 0 {
		quiet = time.Second
	}
	idle := time.NewTimer(quiet)
	defer idle.Stop()
wait:
	for {
		mu.Lock()
		n := len(r.Changes)
		mu.Unlock()
		if r.Expected > 0 && n >= r.Expected {
			break
		}
		select {
		case <-ctx.Done():
			return r, ctx.Err()
		case <-deadline.C:
			break wait
		case <-idle.C:
			if r.Expected == 0 {
				break wait
			}
			idle.Reset(quiet)
		case <-got:
			idle.Reset(quiet)
		}
	}
	remove()
	mu.Lock()
	defer mu.Unlock()
	r.Changes = slices.Clone(r.Changes)
	return r, nil
}
