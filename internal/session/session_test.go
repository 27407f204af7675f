package session

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/siocli/sio/internal/sioserver"
	"github.com/siocli/sio/pkg/sioclient"
)

// TestSession drives the core as a script does, against sio's own server
// in the process: an ack, a second namespace, a reply to the server's ack
// request, the status, a reconnect.
func TestSession(t *testing.T) {
	srv := sioserver.New(sioserver.Options{})
	hs := httptest.NewServer(srv)
	defer func() { srv.Close(); hs.Close() }()
	events := make(chan *sioclient.Event, 16)
	s, err := New(Config{URL: hs.URL, Namespace: "/", ConnectTimeout: 5 * time.Second, AckTimeout: 5 * time.Second,
		OnEvent: func(e *sioclient.Event) { events <- e }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	ack, err := s.EmitWithAck(ctx, &Emit{Event: "echo", Args: []any{"hi"}})
	if err != nil || string(ack.Packet.Data) != `["hi"]` {
		t.Fatalf("ack %v, %v", ack, err)
	}
	if err := s.Connect(ctx, "/admin", []byte(`{"k":1}`)); err != nil || s.Current() != "/admin" {
		t.Fatalf("connect /admin: %v, current %s", err, s.Current())
	}
	if err := s.Use("/nope"); err == nil {
		t.Error("use of a namespace never connected")
	}
	if err := s.Use("/"); err != nil {
		t.Fatal(err)
	}
	// The server asks the client for an ack: sio serve's prompt's emit --ack.
	if _, err := srv.Emit("", "/", "question", []any{"ready?"}, true); err != nil {
		t.Fatal(err)
	}
	if !s.WaitAsked(ctx, nil, 5*time.Second) || len(s.Pending()) != 1 {
		t.Fatalf("pending %+v", s.Pending())
	}
	if req, err := s.Reply(&Reply{Args: []any{"yes"}}); err != nil || req.Event != "question" || len(s.Pending()) != 0 {
		t.Errorf("reply %+v %v", req, err)
	}
	if _, err := s.Reply(&Reply{}); err == nil {
		t.Error("a reply with nothing asked")
	}
	st := s.Status()
	if st.Session == nil || len(st.Namespaces) != 2 || st.Namespaces[0].State != sioclient.Connected || !st.Namespaces[0].Current {
		t.Errorf("status %+v", st)
	}
	if got := s.Seen(); len(got) != 2 || got[0] != "echo" || got[1] != "question" {
		t.Errorf("seen %q", got)
	}
	if err := s.Reconnect(ctx); err != nil || s.Status().Namespaces[1].State != sioclient.Connected {
		t.Errorf("reconnect: %v %+v", err, s.Status())
	}
	<-events
}
