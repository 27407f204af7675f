package codec

// The reasons a socket leaves a namespace, in the words of the reference
// client (io ...) and server (... namespace disconnect). The reasons an
// Engine.IO session ends are the engine's (pkg/engineio/wire).
const (
	// ReasonServerDisconnect: the client got the server's DISCONNECT.
	ReasonServerDisconnect = "io server disconnect"
	// ReasonClientDisconnect: the client left the namespace itself.
	ReasonClientDisconnect = "io client disconnect"
	// ReasonServerNamespaceDisconnect: the server disconnected the socket.
	ReasonServerNamespaceDisconnect = "server namespace disconnect"
	// ReasonClientNamespaceDisconnect: the server got the client's
	// DISCONNECT.
	ReasonClientNamespaceDisconnect = "client namespace disconnect"
)
