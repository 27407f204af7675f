package sioclient

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/siocli/sio/internal/testserver"
	"github.com/siocli/sio/pkg/engineio"
)

// TestRecovery cuts the network under a client of a 4.x server with
// connection state recovery on; events broadcast meanwhile arrive after the
// reconnection, which reports recovered.
func TestRecovery(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "4", Recovery: true})
	proxy := newCutter(t, fmt.Sprintf("127.0.0.1:%d", s.Port))
	m, rec := newManager(t, proxy.URL(), &Options{ReconnectDelay: 50 * time.Millisecond, ReconnectDelayMax: 100 * time.Millisecond})
	sock := m.Socket("/", nil)
	in := newInbox(sock)
	if err := sock.Connect(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if sock.Recovered() {
		t.Error("recovered on the first connection")
	}
	other := newManagerSocket(t, s.URL(), "/", nil)
	other.Emit("broadcast", "news", 0)
	if e := in.next(t, "news"); !strings.HasPrefix(argsJSON(e.Args()), `[0,"`) {
		t.Fatalf("news before the cut: %s (want the offset after the args)", argsJSON(e.Args()))
	}
	firstID := sock.ID()

	// Cut once on WebSocket: the server sees a dropped WebSocket at once,
	// whereas a polling session it only misses at its ping timeout. An ack
	// after the upgrade shows the server has switched too.
	rec.waitFor(t, LifecycleUpgrade, 1, 10*time.Second)
	if _, err := sock.EmitWithAck(ctxT(t), "ack"); err != nil {
		t.Fatal(err)
	}
	proxy.cut()
	rec.waitFor(t, LifecycleDisconnect, 1, 10*time.Second)
	for i := 1; i <= 3; i++ {
		other.Emit("broadcast", "news", i)
	}
	// An ack after the broadcasts tells they were made.
	if _, err := other.EmitWithAck(ctxT(t), "ack"); err != nil {
		t.Fatal(err)
	}
	proxy.resume()
	c := rec.waitFor(t, LifecycleConnect, 2, 10*time.Second)
	if !c.Recovered || !sock.Recovered() {
		t.Errorf("connect after the cut: recovered %v", c.Recovered)
	}
	if sock.ID() != firstID {
		t.Errorf("id %q after recovery, want %q", sock.ID(), firstID)
	}
	for i := 1; i <= 3; i++ {
		if got := argsJSON(in.next(t, "news").Args()); !strings.HasPrefix(got, fmt.Sprintf("[%d,", i)) {
			t.Errorf("missed event %d: %s", i, got)
		}
	}
}

// TestWebSocketOnly connects over WebSocket alone, where the server's
// version is told by maxPayload (4.x), an unasked CONNECT (2.x), or the
// silence of a 3.x server.
func TestWebSocketOnly(t *testing.T) {
	for _, v := range versions {
		t.Run("socket.io "+v, func(t *testing.T) {
			m, rec := newManager(t, start(t, v).URL(), &Options{Engine: engineio.Options{Transports: []engineio.Transport{engineio.WebSocket}}})
			root := m.Socket("/", nil)
			admin := m.Socket("/admin", adminOpts(v, "ok"))
			for _, sock := range []*Socket{root, admin} {
				if err := sock.Connect(ctxT(t)); err != nil {
					t.Fatal(err)
				}
				ack, err := sock.EmitWithAck(ctxT(t), "echo", "ws")
				if err != nil || argsJSON(ack.Args()) != `["ws"]` {
					t.Fatalf("ack %v %v", ack, err)
				}
			}
			want := map[string]engineio.Version{"2": engineio.Version3, "3": engineio.Version4, "4": engineio.Version4}[v]
			if got := m.Session().Engine; got != want {
				t.Errorf("engine %v, want %v", got, want)
			}
			if n := len(filter(rec, LifecycleConnect)); n != 2 {
				t.Errorf("%d connect events, want 2 (a 2.x server must not see a second CONNECT for /): %s", n, rec.names())
			}
		})
	}
}

// TestCompress counts the bytes a large, compressible emit puts on the wire
// to a server that negotiates permessage-deflate: compressed by default,
// whole with Compress(false).
func TestCompress(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "4", PerMessageDeflate: true})
	big := strings.Repeat("compressible ", 10_000)
	wire := func(compress bool) int64 {
		proxy := newCutter(t, fmt.Sprintf("127.0.0.1:%d", s.Port))
		m, _ := newManager(t, proxy.URL(), &Options{Engine: engineio.Options{Transports: []engineio.Transport{engineio.WebSocket}}})
		sock := m.Socket("/", nil)
		if err := sock.Connect(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		if _, err := sock.Compress(compress).EmitWithAck(ctxT(t), "ack", big); err != nil {
			t.Fatal(err)
		}
		m.Close()
		proxy.stop()
		return proxy.up.Load()
	}
	compressed, whole := wire(true), wire(false)
	t.Logf("%d bytes compressed, %d whole, for a %d-byte message", compressed, whole, len(big))
	if whole < int64(len(big)) || compressed > int64(len(big))/10 {
		t.Errorf("%d bytes compressed, %d whole, for a %d-byte message", compressed, whole, len(big))
	}
}
