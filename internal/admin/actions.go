package admin

import (
	"fmt"
)

// Target says which sockets of a namespace an action is for: one socket,
// those in a room, or all of them.
type Target struct {
	Socket string
	Room   string
	All    bool
}

func (t Target) String() string {
	switch {
	case t.Socket != "":
		return "socket " + t.Socket
	case t.Room != "":
		return "room " + t.Room
	default:
		return "every socket"
	}
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

// Emit makes the server emit event with args to the target's sockets in
// nsp.
func (c *Client) Emit(nsp string, t Target, event string, args ...any) error {
	if err := c.check("emit", FeatureEmit, "", t); err != nil {
		return err
	}
	return c.sock.Emit("emit", append([]any{nsp, t.filter(), event}, args...)...)
}

// Join makes the target's sockets in nsp join room.
func (c *Client) Join(nsp, room string, t Target) error {
	if err := c.check("join", FeatureJoin, FeatureMJoin, t); err != nil {
		return err
	}
	return c.sock.Emit("join", nsp, room, t.filter())
}

// Leave makes the target's sockets in nsp leave room.
func (c *Client) Leave(nsp, room string, t Target) error {
	if err := c.check("leave", FeatureLeave, FeatureMLeave, t); err != nil {
		return err
	}
	return c.sock.Emit("leave", nsp, room, t.filter())
}

// Disconnect disconnects the target's sockets in nsp; with close, their
// whole connections.
func (c *Client) Disconnect(nsp string, close bool, t Target) error {
	if err := c.check("disconnect", FeatureDisconnect, FeatureMDisconnect, t); err != nil {
		return err
	}
	return c.sock.Emit("_disconnect", nsp, close, t.filter())
}
