package output

import (
	"github.com/siocli/sio/internal/sioserver"
)

// Server prints what sio serve saw: the same records as a client's (event,
// ack, connect, disconnect…) with the client's session id, and the
// server's own: connection, close, error.
func (p *Printer) Server(sr sioserver.Record) error {
	r := record{time: sr.Time, typ: sr.Type.String(), ns: sr.Namespace, client: sr.Client, socketID: sr.SocketID, reason: sr.Reason}
	switch sr.Type {
	case sioserver.RecordEvent:
		args, err := argsOf(sr.Packet, true)
		if err != nil {
			return err
		}
		name, _ := sr.Packet.EventName()
		r.event, r.args, r.argsTail, r.socketID = name, args, true, ""
		if sr.Packet.HasID {
			id := sr.Packet.ID
			r.ackID = &id
		}
	case sioserver.RecordAck:
		args, err := argsOf(sr.Packet, false)
		if err != nil {
			return err
		}
		rtt := sr.RTT
		r.event, r.args, r.rtt, r.socketID = sr.Event, args, &rtt, ""
	case sioserver.RecordConnection:
		r.transport, r.eio, r.remote = string(sr.Transport), int(sr.Engine), sr.Remote
	case sioserver.RecordConnect:
		r.auth = sr.Auth
	case sioserver.RecordConnectError:
		r.auth, r.message, r.data = sr.Auth, &sr.Message, sr.Data
	case sioserver.RecordUpgrade:
		r.from, r.to = string(sr.From), string(sr.To)
	}
	if sr.Err != nil {
		r.err = Describe(sr.Err)
	}
	return p.write(&r)
}

// appendServerFields appends the JSON fields only server records have.
func appendServerFields(b []byte, r *record) []byte {
	if r.transport != "" {
		b = append(b, `,"transport":`...)
		b = appendString(b, r.transport)
		b = append(b, `,"eio":`...)
		b = append(b, byte('0'+r.eio))
		b = append(b, `,"remote":`...)
		b = appendString(b, r.remote)
	}
	if len(r.auth) > 0 {
		b = append(b, `,"auth":`...)
		b = append(b, r.auth...)
	}
	return b
}
