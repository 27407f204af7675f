package output

import (
	"github.com/siocli/sio/internal/sioserver"
)

// Server prints what sio serve saw: the same records as a client's (event,
// ack, connect, disconnect…) with the client's session id, and the
// server's own: connection, close, error.
func (p *Printer) Server(sr sioserver.Record) error {
	r := Record{Time: sr.Time, Type: sr.Type.String(), NS: sr.Namespace, Client: sr.Client, SocketID: sr.SocketID, Reason: sr.Reason, Room: sr.Room}
	switch sr.Type {
	case sioserver.RecordEvent:
		args, err := argsOf(sr.Packet, true)
		if err != nil {
			return err
		}
		name, _ := sr.Packet.EventName()
		r.Event, r.Args, r.argsTail, r.SocketID = name, args, true, ""
		if sr.Packet.HasID {
			id := sr.Packet.ID
			r.AckID = &id
		}
	case sioserver.RecordAck:
		args, err := argsOf(sr.Packet, false)
		if err != nil {
			return err
		}
		rtt := sr.RTT
		r.Event, r.Args, r.RTT, r.SocketID = sr.Event, args, &rtt, ""
	case sioserver.RecordConnection:
		r.Transport, r.EIO, r.Remote = string(sr.Transport), int(sr.Engine), sr.Remote
	case sioserver.RecordConnect:
		r.Auth = sr.Auth
	case sioserver.RecordConnectError:
		r.Auth, r.Message, r.Data = sr.Auth, &sr.Message, sr.Data
	case sioserver.RecordUpgrade:
		r.From, r.To = string(sr.From), string(sr.To)
	}
	if sr.Err != nil {
		r.Error = Describe(sr.Err)
	}
	return p.write(&r)
}

// appendServerFields appends the JSON fields only server records have.
func appendServerFields(b []byte, r *Record) []byte {
	if r.Transport != "" {
		b = append(b, `,"transport":`...)
		b = appendString(b, r.Transport)
		b = append(b, `,"eio":`...)
		b = append(b, byte('0'+r.EIO))
		b = append(b, `,"remote":`...)
		b = appendString(b, r.Remote)
	}
	if len(r.Auth) > 0 {
		b = append(b, `,"auth":`...)
		b = append(b, r.Auth...)
	}
	return b
}
