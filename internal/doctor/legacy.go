package doctor

import (
	"net/http"
	"regexp"

	"github.com/siocli/sio/pkg/engineio/wire"
)

// The text probe of an Engine.IO 3 server's polling: engine.io 1.x
// (socket.io 1.x) UTF-8 encodes polling text once more and ends a session
// whose text was not so encoded, while engine.io 3 takes text as it is.

// legacyProblem and legacyFix explain engine.io 1.x's encoding.
const (
	legacyProblem = "The server ended the session on a ping carrying \"€\" over polling, and answered one carrying it UTF-8 encoded twice: it is engine.io 1.x (socket.io 1.x), which encodes polling text so both ways. Without that, text beyond ASCII arrives garbled and sending it ends the session; WebSocket is not affected."
	legacyFix     = "Connect with --legacy-utf8 (sio encodes and decodes polling text as engine.io 1.x does), or with --transport websocket."
)

// probeText opens a fresh session, sends it a ping carrying text, and
// reports whether the server answered it with a pong (false: it ended
// the session, or answered something else).
func (r *run) probeText(text []byte) bool {
	c := r.client(false)
	res, err := r.do(c, http.MethodGet, r.pollURL(wire.Version3, ""), nil)
	if err != nil || res.status != http.StatusOK {
		return false
	}
	packets, err := wire.DecodePayload(res.body, wire.Version3, false)
	if err != nil || len(packets) == 0 || packets[0].Type != wire.PacketOpen {
		return false
	}
	hs, err := wire.ParseHandshake(packets[0].Data)
	if err != nil {
		return false
	}
	defer r.do(c, http.MethodPost, r.pollURL(wire.Version3, hs.SID), wire.EncodePayload(nil, []wire.Packet{{Type: wire.PacketClose}}, wire.Version3))
	ping := wire.EncodePayload(nil, []wire.Packet{{Type: wire.PacketPing, Data: text}}, wire.Version3)
	if res, err := r.do(c, http.MethodPost, r.pollURL(wire.Version3, hs.SID), ping); err != nil || res.status != http.StatusOK {
		return false
	}
	// The pong comes with the next poll (after the packets the
	// handshake left, such as socket.io 2's CONNECT).
	for range 3 {
		res, err := r.do(c, http.MethodGet, r.pollURL(wire.Version3, hs.SID), nil)
		if err != nil || res.status != http.StatusOK {
			return false
		}
		packets, err := wire.DecodePayload(res.body, wire.Version3, false)
		if err != nil {
			return false
		}
		for _, p := range packets {
			switch p.Type {
			case wire.PacketPong:
				return true
			case wire.PacketClose:
				return false
			}
		}
	}
	return false
}

// engineSID matches the session ids of engine.io (Node), 20 characters
// of base64url: the probe is for engine.io only, since other Engine.IO 3
// servers may take a ping with text worse (googollee/go-socket.io reads
// payload lengths as bytes and stalls the session on it).
var engineSID = regexp.MustCompile(`^[A-Za-z0-9_-]{20}$`)

// checkText finds out, for an Engine.IO 3 server, whether it is
// engine.io 1.x: a ping carrying "€" ends its session, the same ping
// encoded twice does not.
func (r *run) checkText(s *Step) {
	if !engineSID.MatchString(r.hs.SID) {
		return
	}
	if r.probeText([]byte("€")) {
		fact(s, "text", "a ping carrying \"€\" over polling was answered: the server takes text beyond ASCII as it is")
		return
	}
	if r.probeText(wire.EncodeUTF8Twice([]byte("€"))) {
		fact(s, "text", "a ping carrying \"€\" over polling ended the session; one carrying it UTF-8 encoded twice was answered")
		warn(s, legacyProblem, legacyFix)
		return
	}
	fact(s, "text", "a ping carrying \"€\" over polling was not answered, encoded once or twice: the server may not take text beyond ASCII over polling")
}
