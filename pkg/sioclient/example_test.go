package sioclient_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/siocli/sio/pkg/sioclient"
)

// serverURL is the server the examples talk to; the tests start one.
func serverURL() string { return os.Getenv("SIO_EXAMPLE_URL") }

// Connect to a server, listen to everything, and emit with an ack.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	got := make(chan struct{})
	socket, err := sioclient.Connect(ctx, serverURL(), &sioclient.Options{
		OnLifecycle: func(e sioclient.Lifecycle) {
			if e.Type == sioclient.LifecycleConnect {
				fmt.Println("connected to", e.Namespace)
			}
		},
	}, nil)
	if err != nil {
		log.Fatal(err) // a *sioclient.ConnectError when the server refused
	}
	defer socket.Manager().Close()

	socket.OnAny(func(e *sioclient.Event) {
		fmt.Printf("event %s %s\n", e.Name, e.Args())
		close(got)
	})

	ack, err := socket.EmitWithAck(ctx, "echo", "hello", 42)
	if err != nil {
		log.Fatal(err) // a *sioclient.AckTimeoutError when no ack came in time
	}
	<-got // the handler runs on the dispatcher, the ack returns here: wait
	fmt.Printf("ack %s\n", ack.Args())
	// Output:
	// connected to /
	// event echo-back ["hello" 42]
	// ack ["hello" 42]
}
