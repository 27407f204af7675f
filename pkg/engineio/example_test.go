package engineio_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/siocli/sio/pkg/engineio"
)

// Open a session with a Socket.IO server, send a Socket.IO CONNECT for the
// root namespace, and print what comes back, with a trace of the wire on
// stderr.
func ExampleDial() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := engineio.Dial(ctx, "http://localhost:3000", &engineio.Options{
		Path:  "/socket.io",
		Trace: engineio.NewTraceWriter(os.Stderr, false).Trace,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	fmt.Println("speaking", c.Version(), "over", c.Transport())
	if c.Version() == engineio.Version4 {
		c.Write(engineio.Message{Data: []byte("0")})
	}
	m, err := c.Read(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s\n", m.Data)
}
