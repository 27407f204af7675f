package sioserver

import (
	"context"
	"testing"

	"github.com/siocli/sio/pkg/engineio/wire"
)

// BenchmarkEmitWithAck times sequential acked round trips from sio's own
// client to the server, over WebSocket, in one process.
func BenchmarkEmitWithAck(b *testing.B) {
	for _, v := range []wire.Version{wire.Version3, wire.Version4} {
		b.Run(v.String(), func(b *testing.B) {
			_, _, u := start(b, Options{})
			_, s, err := dial(b, u, "/", v, []wire.Transport{wire.WebSocket}, "")
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := s.EmitWithAck(ctx, "bench", i, "payload"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
