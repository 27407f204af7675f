package output

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/siocli/sio/internal/admin"
	"github.com/siocli/sio/pkg/codec"
)

func TestAdminChange(t *testing.T) {
	at := time.Date(2026, 12, 1, 14, 44, 44, 196e6, time.UTC)
	sock := &admin.Socket{ID: "K1", ClientID: "c1", Namespace: "/chat", Transport: "polling", Handshake: admin.Handshake{Address: "127.0.0.1"}}
	bin := &codec.Packet{Type: codec.BinaryEvent, Data: json.RawMessage(`["up",{"_placeholder":true,"num":0}]`), Attachments: [][]byte{{1, 2}}}
	changes := []admin.Change{
		{Kind: admin.SocketConnected, Time: at, Namespace: "/chat", SocketID: "K1", Transport: "polling", Socket: sock},
		{Kind: admin.EventReceived, Time: at, Namespace: "/chat", SocketID: "K1", Packet: bin},
		{Kind: admin.RoomJoined, Time: at, Namespace: "/chat", SocketID: "K1", Room: "vip\x1b]0;x\x07"},
		{Kind: admin.SocketDisconnected, Time: at, Namespace: "/chat", SocketID: "K1", Reason: "ping timeout"},
	}
	var js, text bytes.Buffer
	pj, pt := New(&js, JSON, false), New(&text, Text, false)
	for _, ch := range changes {
		pj.AdminChange(ch)
		pt.AdminChange(ch)
	}
	pj.Flush()
	pt.Flush()
	lines := strings.Split(strings.TrimSpace(js.String()), "\n")
	want := []string{
		`{"time":"2026-12-01T14:44:44.196Z","type":"socket_connected","ns":"/chat","id":"K1","client":"c1","transport":"polling","remote":"127.0.0.1"}`,
		`{"time":"2026-12-01T14:44:44.196Z","type":"event_received","ns":"/chat","id":"K1","event":"up","args":[{"$binary":"AQI="}]}`,
		`{"time":"2026-12-01T14:44:44.196Z","type":"room_joined","ns":"/chat","id":"K1","room":"vip\u001b]0;x\u0007"}`,
		`{"time":"2026-12-01T14:44:44.196Z","type":"socket_disconnected","ns":"/chat","id":"K1","reason":"ping timeout"}`,
	}
	for i := range want {
		if i >= len(lines) || lines[i] != want[i] {
			t.Errorf("JSON line %d:\n got %s\nwant %s", i, lines[i], want[i])
		}
	}
	for _, w := range []string{"● connect  polling from 127.0.0.1", `received  up  {"$binary":"AQI="}`, `● join  vip\x1b]0;x\x07`, "● disconnect  ping timeout"} {
		if !strings.Contains(text.String(), w) {
			t.Errorf("no %q in the text:\n%s", w, text.String())
		}
	}
	if strings.Contains(text.String(), "\x1b") {
		t.Error("a control character from the server reached the terminal")
	}
}

func TestAdminStats(t *testing.T) {
	st := &admin.Stats{ServerID: "vm#1", Clients: 3, PollingClients: 1,
		Aggregated: []admin.AggregatedEvent{{Type: "rawConnection", Count: 2}, {Type: "rawDisconnection", SubType: "transport close", Count: 1}, {Type: "bytesOut", Count: 2048}},
		Namespaces: []admin.NamespaceCount{{Name: "/", Sockets: 3}}}
	var b bytes.Buffer
	p := New(&b, JSON, false)
	p.AdminChange(admin.Change{Kind: admin.StatsReceived, Time: time.Unix(0, 0), Stats: st})
	p.Flush()
	var r statsRecord
	if err := json.Unmarshal(b.Bytes(), &r); err != nil || r.Type != "server_stats" || r.Connections != 2 || r.Disconnections["transport close"] != 1 || r.BytesOut != 2048 || r.Namespaces["/"] != 3 {
		t.Errorf("%s (%v)", b.String(), err)
	}
	if l := StatsLine(st, SumAggregated(st.Aggregated)); !strings.Contains(l, "3 clients (1 polling), +2 -1 connections (transport close 1)") || !strings.Contains(l, "2.0 KiB") {
		t.Errorf("stats line: %s", l)
	}
}
