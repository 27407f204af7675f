package conform

import (
	"slices"

	"github.com/siocli/sio/pkg/codec"
	"github.com/siocli/sio/pkg/engineio/wire"
)

var (
	eio3     = []wire.Version{wire.Version3}
	eio4     = []wire.Version{wire.Version4}
	eio34    = []wire.Version{wire.Version3, wire.Version4}
	sio5     = []codec.Version{codec.V5}
	sio45    = []codec.Version{codec.V4, codec.V5}
	oneBeat  = suiteBeats(1)
	twoBeats = suiteBeats(2)
)

// table is every check, in the order they are reported.
var table = concat(protocolChecks(), engineSuite(EngineIO), engineSuite(SocketIO), socketSuite())

func concat(lists ...[]Check) []Check {
	var all []Check
	for _, l := range lists {
		all = append(all, l...)
	}
	return all
}

func protocolChecks() []Check {
	checks := []Check{
		{Name: "handshake/polling", EIO: eio34, Run: protoHandshakePolling},
		{Name: "handshake/websocket", EIO: eio34, Run: protoHandshakeWebSocket},
		{Name: "post/ok", EIO: eio34, Run: protoPostOK},
		{Name: "error/unknown-transport", EIO: eio34, Run: protoUnknownTransport},
		{Name: "error/unknown-sid", EIO: eio34, Run: protoUnknownSID},
		{Name: "error/bad-method", EIO: eio34, Run: protoBadMethod},
		{Name: "error/bad-eio", EIO: eio34, Run: protoBadEIO},
		{Name: "heartbeat/polling", EIO: eio34, Wait: heartbeatWait, Run: heartbeat(wire.Polling)},
		{Name: "heartbeat/websocket", EIO: eio34, Wait: heartbeatWait, Run: heartbeat(wire.WebSocket)},
		{Name: "heartbeat/polling/timeout", EIO: eio34, Wait: timeoutWait, Run: pingTimeout(wire.Polling)},
		{Name: "heartbeat/websocket/timeout", EIO: eio34, Wait: timeoutWait, Run: pingTimeout(wire.WebSocket)},
		{Name: "upgrade", EIO: eio34, Run: protoUpgrade},
		{Name: "close/polling", EIO: eio34, Run: protoClose},
		{Name: "max-payload/polling", EIO: eio34, Run: maxPayload(wire.Polling)},
		{Name: "max-payload/websocket", EIO: eio34, Run: maxPayload(wire.WebSocket)},
		{Name: "connect/namespace", EIO: eio34, SIO: sio45, Run: sioConnectNamespace},
		{Name: "connect/random-namespace", EIO: eio34, SIO: sio45, Run: sioConnectRandom},
		{Name: "connect/event-first-closes", EIO: eio4, SIO: sio5, Run: sioEventFirst},
		{Name: "event/binary-attachments", EIO: eio34, SIO: sio45, Run: sioBinaryEvent},
		{Name: "event/ack-ids", EIO: eio34, SIO: sio45, Run: sioAckIDs},
		{Name: "event/bad-payload-closes", EIO: eio4, SIO: sio5, Run: sioBadEvent},
		{Name: "event/echo-and-ack", EIO: eio34, SIO: sio45, Run: sioNeedsHandler},
		{Name: "disconnect", EIO: eio34, SIO: sio45, Run: sioDisconnect},
	}
	for i := range checks {
		checks[i].Suite = Protocol
	}
	return checks
}

// engineSuite is the engine.io-protocol suites' checks (Engine.IO 3 and
// 4), or, for the socket.io suite, its Engine.IO part: those of
// Engine.IO 4 that need no echo, at /socket.io.
func engineSuite(s Suite) []Check {
	echo := s == EngineIO
	checks := []Check{
		{Name: "handshake/polling/opens", EIO: eio34, Run: suiteOpenPolling},
		{Name: "handshake/polling/bad-eio", EIO: eio4, Run: suiteBadEIOPolling},
		{Name: "handshake/polling/bad-transport", EIO: eio34, Run: suiteBadTransportPolling},
		{Name: "handshake/polling/bad-method", EIO: eio34, Run: suiteBadMethod},
		{Name: "handshake/websocket/opens", EIO: eio34, Run: suiteOpenWebSocket},
		{Name: "handshake/websocket/bad-eio", EIO: eio34, Run: suiteBadEIOWebSocket},
		{Name: "handshake/websocket/bad-transport", EIO: eio34, Run: suiteBadTransportWebSocket},
	}
	if echo {
		checks = append(checks, []Check{
			{Name: "message/polling/text", EIO: eio34, Run: echoPolling("4hello", "6:4hello")},
			{Name: "message/polling/batch", EIO: eio34, Run: echoPolling("4test1\x1e4test2\x1e4test3", "6:4test16:4test26:4test3")},
			{Name: "message/polling/binary-base64", EIO: eio34, Run: echoPolling("4hello\x1ebAQIDBA==", "6:4hello10:b4AQIDBA==")},
			{Name: "message/polling/binary-xhr2", EIO: eio3, Run: suiteXHR2},
			{Name: "message/polling/invalid-closes", EIO: eio34, Run: suiteInvalidPolling},
			{Name: "message/polling/duplicate-get-closes", EIO: eio4, Run: suiteDuplicateGet},
			{Name: "message/polling/aborted-get-closes", EIO: eio4, Run: suiteAbortedGet},
			{Name: "message/websocket/text", EIO: eio34, Run: suiteEchoText},
			{Name: "message/websocket/binary", EIO: eio34, Run: suiteEchoBinary},
			{Name: "message/websocket/invalid-closes", EIO: eio34, Run: suiteInvalidWebSocket},
		}...)
	}
	checks = append(checks, []Check{
		{Name: "heartbeat/polling/ping-pong", EIO: eio34, Wait: suiteBeats(3), Run: suitePingPongPolling},
		{Name: "heartbeat/polling/timeout-closes", EIO: eio34, Wait: oneBeat, Run: suiteTimeoutPolling},
		{Name: "heartbeat/websocket/ping-pong", EIO: eio34, Wait: suiteBeats(3), Run: suitePingPongWebSocket},
		{Name: "heartbeat/websocket/timeout-closes", EIO: eio34, Wait: oneBeat, Run: suiteTimeoutWebSocket},
		{Name: "close/polling", EIO: eio34, Run: suiteClosePolling},
		{Name: "close/websocket", EIO: eio34, Wait: oneBeat, Run: suiteCloseWebSocket},
		{Name: "upgrade/probe", EIO: eio34, Run: suiteUpgrade(echo)},
		{Name: "upgrade/polling-refused-after", EIO: eio34, Run: suiteUpgradeStaleGet(echo)},
		{Name: "upgrade/second-websocket-refused", EIO: eio34, Run: suiteUpgradeSecondWebSocket(echo)},
	}...)
	for i := range checks {
		checks[i].Suite = s
		if s == SocketIO {
			checks[i].EIO, checks[i].SIO = eio4, sio5
		}
	}
	if s == SocketIO {
		// The socket.io suite has no Engine.IO 3 case.
		checks = slices.DeleteFunc(checks, func(c Check) bool { return c.Name == "message/polling/binary-xhr2" })
	}
	return checks
}

func socketSuite() []Check {
	checks := []Check{
		{Name: "connect/main", Run: suiteConnect("40", "40", `42["auth",{}]`)},
		{Name: "connect/main-with-auth", Run: suiteConnect(`40{"token":"123"}`, "40", `42["auth",{"token":"123"}]`)},
		{Name: "connect/custom", Run: suiteConnect("40/custom,", "40/custom,", `42/custom,["auth",{}]`)},
		{Name: "connect/custom-with-auth", Run: suiteConnect(`40/custom,{"token":"abc"}`, "40/custom,", `42/custom,["auth",{"token":"abc"}]`)},
		{Name: "connect/unknown-namespace", Run: suiteUnknownNamespace},
		{Name: "connect/invalid-closes", Run: suiteClosesOn("4abc", false)},
		{Name: "connect/none-closes", Wait: twoBeats, Run: suiteNoConnect},
		{Name: "disconnect/main", Wait: oneBeat, Run: suiteDisconnectMain},
		{Name: "disconnect/custom", Wait: oneBeat, Run: suiteDisconnectCustom},
		{Name: "message/text", Run: suiteEvent},
		{Name: "message/binary", Run: suiteBinary(`452-["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`, `452-["message-back",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`)},
		{Name: "message/ack", Run: suiteAck},
		{Name: "message/binary-ack", Run: suiteBinary(`452-789["message-with-ack",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`, `462-789[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`)},
		{Name: "message/unknown-type-closes", Run: suiteClosesOn("4abc", true)},
		{Name: "message/bad-payload-closes", Run: suiteClosesOn("42{}", true)},
		{Name: "message/bad-ack-id-closes", Run: suiteClosesOn(`42abc["message-with-ack",1,"2",{"3":[false]}]`, true)},
	}
	for i := range checks {
		checks[i].Suite, checks[i].EIO, checks[i].SIO = SocketIO, eio4, sio5
	}
	return checks
}
