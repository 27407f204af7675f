// Package codec encodes and decodes Socket.IO packets, the layer above
// Engine.IO messages, for protocol revision 4 (servers 1.x and 2.x) and
// revision 5 (servers 3.x and 4.x).
//
// A [Packet] keeps its payload as the raw JSON the peer sent, with binary
// attachments beside it as the wire carries them: each blob is replaced in
// the JSON by a placeholder object {"_placeholder":true,"num":N} and travels
// as its own Engine.IO binary message. Nothing is decoded into Go values
// unless the caller asks, so a packet can be shown exactly as it arrived,
// numbers and key order included.
//
// A [Parser] turns packets into Engine.IO messages and back. [JSONParser] is
// the default wire format of every Socket.IO server; other formats (msgpack)
// plug in through the same interface.
//
// The package imports nothing else of sio's.
package codec
