// Package engineio is an Engine.IO client: the session layer under
// Socket.IO, over HTTP long-polling, WebSocket, and the upgrade from polling
// to WebSocket, for Engine.IO 3 (Socket.IO servers 1.x and 2.x) and 4
// (servers 3.x and 4.x).
//
// Dial opens a session and, unless told which version to speak, finds out
// which one the server speaks: the polling handshake's framing tells; a
// WebSocket-only session tells by maxPayload in the handshake, by the first
// server ping, or by SetVersion from the layer above. The heartbeat runs in
// each version's direction with the timings of the handshake.
//
// A Conn moves messages: Read returns what the server sent, in order, and
// Write queues messages to send. Lifecycle events (pings, upgrades) go to
// Options.OnEvent, and every HTTP exchange and WebSocket frame to
// Options.Trace.
//
// Failures are typed: *HTTPError (an HTTP answer the protocol did not
// expect, with status, engine.io code and body), *ProtocolError (bytes that
// do not follow the protocol), *TransportError (the network or TLS), and
// *CloseError (why an open session ended).
package engineio
