package sioserver

import (
	"github.com/siocli/sio/internal/eioserver"
	"github.com/siocli/sio/pkg/engineio/wire"
)

// NewEcho returns an Engine.IO server with no Socket.IO layer that sends
// every message back to its sender as it came: the server the
// engine.io-protocol test suites are written for. Of opts it uses Engine,
// and Observe, which hears of each session's opening, upgrade and end.
func NewEcho(opts Options) *eioserver.Server {
	return eioserver.New(&opts.Engine, eioserver.Handler{
		Open: func(s *eioserver.Session) {
			opts.observe(Record{Type: RecordConnection, Client: s.ID(), Transport: s.Transport(), Engine: s.Version(), Remote: s.RemoteAddr()})
		},
		Message: func(s *eioserver.Session, m wire.Message) { s.Send(m) },
		Upgrade: func(s *eioserver.Session) {
			opts.observe(Record{Type: RecordUpgrade, Client: s.ID(), From: wire.Polling, To: wire.WebSocket})
		},
		Close: func(s *eioserver.Session, reason wire.CloseReason, err error) {
			opts.observe(Record{Type: RecordClose, Client: s.ID(), Reason: string(reason), Err: err})
		},
	})
}
