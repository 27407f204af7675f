package sioserver

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/siocli/sio/pkg/engineio/wire"
)

// FuzzClientPayload sends a polling POST of arbitrary bytes into a fresh
// session, of either Engine.IO version, and then closes it: whatever a
// client sends, the server answers or ends the session, and never panics.
// The seeds are packets captured from the reference clients (and the admin
// UI's actions).
func FuzzClientPayload(f *testing.F) {
	for _, seed := range []struct {
		eio3 bool
		body string
	}{
		{false, `40{"token":"ok"}`},
		{false, "420[\"echo\",\"hello\",42,{\"a\":[1,true,null]}]\x1e421[\"bin\",\"x\"]"},
		{false, "451-0[\"bin\",{\"_placeholder\":true,\"num\":0},{\"nested\":{\"_placeholder\":true,\"num\":0}},\"text\"]\x1ebAAEC/v8="},
		{false, `40/admin,{"token":"ok"}` + "\x1e" + `42/admin,0["whoami","admin"]` + "\x1e41/admin,"},
		{false, "430[\"answer\",7]\x1e3\x1e6"},
		{true, "18:40/admin?token=ok,"},
		{true, "21:42[\"echo\",\"hello\",42]"},
		{true, "49:451-0[\"bin\",{\"_placeholder\":true,\"num\":0},\"text\"]10:b4AAEC/v8="},
		{true, "1:22:41"},
		{false, "42[\"join\",\"vip\"]\x1e42[\"leave\",\"vip\"]"},
		{false, "40/admin,\x1e42/admin,[\"join\",\"/\",\"r\",null]\x1e42/admin,[\"emit\",\"/\",\"r\",\"x\",1]\x1e42/admin,[\"leave\",\"/\",\"r\"]\x1e42/admin,[\"_disconnect\",\"/\",true,null]"},
	} {
		f.Add(seed.eio3, []byte(seed.body))
	}
	srv := New(Options{Echo: true, Broadcast: true, Rooms: true, Admin: &AdminOptions{}})
	defer srv.Close()
	f.Fuzz(func(t *testing.T, eio3 bool, body []byte) {
		eio := "4"
		if eio3 {
			eio = "3"
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/socket.io/?EIO="+eio+"&transport=polling", nil))
		v := wire.Version4
		if eio3 {
			v = wire.Version3
		}
		packets, err := wire.DecodePayload(rec.Body.Bytes(), v, false)
		if err != nil || len(packets) == 0 {
			t.Fatalf("handshake %q: %v", rec.Body.String(), err)
		}
		hs, err := wire.ParseHandshake(packets[0].Data)
		if err != nil {
			t.Fatal(err)
		}
		u := "/socket.io/?EIO=" + eio + "&transport=polling&sid=" + hs.SID
		post := func(b string) int {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodPost, u, strings.NewReader(b))
			req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
			srv.ServeHTTP(rec, req)
			return rec.Code
		}
		if code := post(string(body)); code != http.StatusOK && code != http.StatusBadRequest && code != http.StatusRequestEntityTooLarge {
			t.Fatalf("POST %q: HTTP %d", body, code)
		}
		closePkt := "1"
		if eio3 {
			closePkt = "1:1"
		}
		post(closePkt)
		if srv.eng.Session(hs.SID) != nil {
			t.Fatalf("the session outlived its close packet")
		}
	})
}
