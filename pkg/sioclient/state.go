package sioclient

import (
	"fmt"
	"slices"
	"time"
)

// State is where a Manager or one of its sockets stands. A Manager is
// Disconnected, Connecting, Detecting, Connected, Reconnecting or Closed; a
// Socket is Disconnected, Waiting, Connecting or Connected.
type State int

const (
	// Disconnected: for a Manager, no session and no attempt under way
	// (no socket wants one, or it gave up); for a Socket, not wanted: it
	// never connected, left, was refused or was disconnected by the server.
	Disconnected State = iota
	// Waiting: a Socket that wants to connect and waits for a session to
	// send its CONNECT on (the first one, or the next after a loss).
	Waiting
	// Connecting: for a Manager, an attempt to open a session is under
	// way; for a Socket, its CONNECT was sent and the server has not
	// answered.
	Connecting
	// Detecting: a Manager whose session is open over WebSocket only, its
	// Engine.IO version not yet known.
	Detecting
	// Connected: for a Manager, the session is open and its protocol
	// known; for a Socket, the namespace is connected.
	Connected
	// Reconnecting: a Manager whose session was lost or whose attempt
	// failed, waiting out the delay before the next attempt.
	Reconnecting
	// Closed: a Manager that was closed.
	Closed
)

var stateNames = [...]string{"disconnected", "waiting", "connecting", "detecting", "connected", "reconnecting", "closed"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// managerMoves and socketMoves are the transitions each may make; any
// other is a bug, and panics.
var (
	managerMoves = map[State][]State{
		Disconnected: {Connecting, Closed},
		Connecting:   {Detecting, Connected, Reconnecting, Disconnected, Closed},
		Detecting:    {Connected, Reconnecting, Disconnected, Closed},
		Connected:    {Reconnecting, Disconnected, Closed},
		Reconnecting: {Connecting, Disconnected, Closed},
		Closed:       {},
	}
	socketMoves = map[State][]State{
		Disconnected: {Waiting},
		Waiting:      {Connecting, Connected, Disconnected},
		Connecting:   {Connected, Waiting, Disconnected},
		Connected:    {Waiting, Disconnected},
	}
)

// checkMove panics on a transition the table does not allow.
func checkMove(moves map[State][]State, who string, from, to State) {
	if !slices.Contains(moves[from], to) {
		panic(fmt.Sprintf("sioclient: %s cannot go from %s to %s", who, from, to))
	}
}

// StateChange tells of a Manager's or a socket's new state.
type StateChange struct {
	Time time.Time
	// Namespace is the socket's namespace; "" for the Manager.
	Namespace string
	From, To  State
	// Reason and Err are the cause, when there is one: a close or
	// disconnect reason, a connection error, a refusal.
	Reason string
	Err    error
}

// change is the cause of a transition, and what the lifecycle events it
// raises carry.
type change struct {
	reason  string
	err     error
	attempt int      // the attempt that begins, succeeded or failed (0: the first connection)
	gaveUp  bool     // no attempts left (reconnect_failed)
	session *Session // the session that opened
}

// failure is the error a transition tells its listeners: the cause, or,
// when no attempts were left, a *GaveUpError around the last one.
func (c change) failure(attempts int) error {
	if c.gaveUp && c.err != nil {
		return &GaveUpError{Attempts: attempts, Err: c.err}
	}
	return c.err
}
