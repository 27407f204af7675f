// Package sioclient is a Socket.IO client with the reference JavaScript
// client's behaviour (socket.io-client 4.x), for servers 2.x, 3.x and 4.x.
//
// A Manager owns one Engine.IO session (pkg/engineio) and the sockets
// multiplexed over it, one per namespace, and reconnects with the reference
// backoff when the session is lost. Connect is the short way to one socket:
//
//	socket, err := sioclient.Connect(ctx, "http://localhost:3000/admin", nil,
//		&sioclient.SocketOptions{Auth: json.RawMessage(`{"token":"abc"}`)})
//
// The protocol revision is found from the server: servers 3.x and 4.x get
// the auth payload in CONNECT; servers 2.x join "/" by themselves and read a
// namespace's Query instead.
//
// Emit sends an event; EmitWithAck waits for the server's answer. Arguments
// are Go values encoded as JSON, json.RawMessage sent as it is, and []byte
// sent as binary at any depth. Per-call flags travel in an Emitter value:
//
//	ack, err := socket.Timeout(2*time.Second).EmitWithAck(ctx, "join", "room1")
//
// Incoming events keep the raw JSON the server sent (Event.Packet.Data, and
// Event.Args) and their binary attachments. OnAny sees every event, On the
// events of one name, OnAnyOutgoing every packet sent; an event whose ack
// the server asked for carries an AckRequest to Reply to once. Options.
// OnLifecycle hears connect, disconnect (with the reference client's
// reasons), reconnection attempts, transport upgrades and pings. Every
// callback runs on the Manager's one dispatcher goroutine, in the order
// things happened.
//
// Emits made while disconnected are buffered and sent after the next
// connect; with SocketOptions.Retries they are resent until acked. Against a
// 4.6+ server with connection state recovery on, a reconnection after a
// network failure restores the session (Socket.Recovered) and delivers the
// events missed meanwhile.
package sioclient
