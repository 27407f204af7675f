package admin

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/siocli/sio/pkg/codec"
	"github.com/siocli/sio/pkg/sioclient"
)

// Captured from socket.io 4.8 with @socket.io/admin-ui 0.5.1 in
// development mode (a client in /chat joining room1).
const (
	capConfig      = `["config",{"supportedFeatures":["EMIT","JOIN","LEAVE","DISCONNECT","MJOIN","MLEAVE","MDISCONNECT","AGGREGATED_EVENTS","ALL_EVENTS"]}]`
	capSession     = `["session","6e9c7537fe5a892e"]`
	capAllSockets  = `["all_sockets",[{"id":"6IHl1B319NV5j_h9AAAA","clientId":"XH7nzJIdDF7v","transport":"polling","nsp":"/admin","data":{},"handshake":{"address":"127.0.0.1","headers":{"user-agent":"node-XMLHttpRequest","accept":"*/*","host":"127.0.0.1:39101","connection":"close"},"query":{"EIO":"4","transport":"polling","t":"t62nsxqr"},"issued":1796136284183,"secure":false,"time":"Tue Dec 01 2026 14:44:44 GMT+0000 (Coordinated Universal Time)","url":"/socket.io/?EIO=4&transport=polling&t=t62nsxqr","xdomain":false},"rooms":["6IHl1B319NV5j_h9AAAA"]}]]`
	capConnected   = `["socket_connected",{"id":"KHDMjYvxWaDU0P1nAAAB","clientId":"XH7nzJIdDF7v","transport":"polling","nsp":"/chat","data":{},"handshake":{"address":"127.0.0.1","headers":{"user-agent":"node-XMLHttpRequest","accept":"*/*","host":"127.0.0.1:39101","connection":"close","cookie":"io=abc"},"query":{"EIO":"4","transport":"polling","t":"t62nsxqr","token":"s3cret"},"issued":1796136284195,"secure":false,"time":"Tue Dec 01 2026 14:44:44 GMT+0000 (Coordinated Universal Time)","url":"/socket.io/?EIO=4&transport=polling&t=t62nsxqr&token=s3cret","xdomain":false},"rooms":["KHDMjYvxWaDU0P1nAAAB"]},"2026-12-01T14:44:44.196Z"]`
	capOwnRoom     = `["room_joined","/chat","KHDMjYvxWaDU0P1nAAAB","KHDMjYvxWaDU0P1nAAAB","2026-12-01T14:44:44.195Z"]`
	capUpdated     = `["socket_updated",{"id":"KHDMjYvxWaDU0P1nAAAB","nsp":"/chat","transport":"websocket"}]`
	capReceived    = `["event_received","/chat","KHDMjYvxWaDU0P1nAAAB",["join","room1"],"2026-12-01T14:44:44.203Z"]`
	capJoined      = `["room_joined","/chat","room1","KHDMjYvxWaDU0P1nAAAB","2026-12-01T14:44:44.203Z"]`
	capStats       = `["server_stats",{"serverId":"vm","hostname":"vm","pid":6062,"uptime":2.143382512,"clientsCount":1,"pollingClientsCount":0,"aggregatedEvents":[{"timestamp":1796136284000,"type":"rawConnection","count":1},{"timestamp":1796136284000,"type":"packetsIn","count":3},{"timestamp":1796136284000,"type":"bytesIn","count":75},{"timestamp":1796136284000,"type":"packetsOut","count":14},{"timestamp":1796136284000,"type":"bytesOut","count":2572}],"namespaces":[{"name":"/","socketsCount":0},{"name":"/admin","socketsCount":1},{"name":"/chat","socketsCount":1}]}]`
	capLeft        = `["room_left","/chat","room1","KHDMjYvxWaDU0P1nAAAB","2026-12-01T14:44:45.000Z"]`
	capDisconneted = `["socket_disconnected","/chat","KHDMjYvxWaDU0P1nAAAB","transport close","2026-12-01T14:44:46.000Z"]`
)

func event(data string) *sioclient.Event {
	p := &codec.Packet{Type: codec.Event, Data: json.RawMessage(data)}
	name, _ := p.EventName()
	return &sioclient.Event{Time: time.Now(), Namespace: "/admin", Name: name, Packet: p}
}

func TestClientFollowsTheServer(t *testing.T) {
	var changes []Change
	c := newClient(Options{OnChange: func(ch Change) { changes = append(changes, ch) }})
	for _, e := range []string{capSession, capConfig, capAllSockets, capOwnRoom, capConnected, capUpdated, capReceived, capJoined, capStats} {
		c.onEvent(event(e))
	}
	select {
	case <-c.ready:
	default:
		t.Fatal("not ready after config and all_sockets")
	}
	if !c.Config().Development() || c.Config().ReadOnly() || !c.Config().Has(FeatureMJoin) {
		t.Errorf("config: %+v", c.Config())
	}
	socks := c.Sockets()
	if len(socks) != 2 || socks[1].ID != "KHDMjYvxWaDU0P1nAAAB" || socks[1].Transport != "websocket" || !socks[1].InRoom("room1") {
		t.Fatalf("sockets: %+v", socks)
	}
	if rooms := Rooms(socks); len(rooms) != 1 || rooms[0].Name != "room1" || rooms[0].Namespace != "/chat" {
		t.Errorf("rooms: %+v", rooms)
	}
	var kinds []string
	for _, ch := range changes {
		kinds = append(kinds, ch.Kind.String())
	}
	if got := strings.Join(kinds, " "); got != "socket_connected socket_upgraded event_received room_joined server_stats" {
		t.Errorf("changes: %s (a socket's own room is not one)", got)
	}
	if ch := changes[2]; ch.Packet == nil || string(ch.Packet.Data) != `["join","room1"]` || ch.Time.UnixMilli() != 1796136284203 {
		t.Errorf("event_received: %+v", ch)
	}
	c.opts.Username, c.opts.Password = "admin", "pw"
	if a, _ := c.auth(context.Background()); string(a) != `{"password":"pw","sessionId":"6e9c7537fe5a892e","username":"admin"}` {
		t.Errorf("auth after a session: %s", a)
	}

	for _, e := range []string{capLeft, capDisconneted} {
		c.onEvent(event(e))
	}
	if len(c.Sockets()) != 1 {
		t.Errorf("the socket that disconnected is still listed")
	}
	if last := changes[len(changes)-1]; last.Kind != SocketDisconnected || last.Reason != "transport close" {
		t.Errorf("last change: %+v", last)
	}
	if s := c.Servers(); len(s) != 1 || s[0].Clients != 1 || len(s[0].Namespaces) != 3 {
		t.Errorf("servers: %+v", s)
	}
}

func TestRedacted(t *testing.T) {
	c := newClient(Options{})
	c.onEvent(event(capConnected))
	s := c.Sockets()[0].Redacted()
	js, _ := json.Marshal(s)
	if strings.Contains(string(js), "s3cret") || strings.Contains(string(js), "io=abc") {
		t.Errorf("secrets left in %s", js)
	}
	if s.Handshake.Headers["host"] == nil || string(s.Handshake.Query["EIO"]) != `"4"` {
		t.Errorf("redaction removed what is not secret: %s", js)
	}
	if orig := c.Sockets()[0]; string(orig.Handshake.Query["token"]) != `"s3cret"` {
		t.Error("redaction changed the kept socket")
	}
}

func TestProductionIsReadyOnConfig(t *testing.T) {
	c := newClient(Options{})
	c.onEvent(event(`["config",{"supportedFeatures":["AGGREGATED_EVENTS"]}]`))
	select {
	case <-c.ready:
	default:
		t.Fatal("a production-mode server lists no sockets: config is all there is to wait for")
	}
	if c.Listed() || c.Config().Development() || !c.Config().ReadOnly() {
		t.Errorf("config: %+v, listed %v", c.Config(), c.Listed())
	}
}

func TestMalformed(t *testing.T) {
	for _, e := range []string{
		`["config","nope"]`,
		`["server_stats",{"serverId":""}]`,
		`["all_sockets",[{"id":"","nsp":"/"}]]`,
		`["socket_connected",{"id":"x"}]`,
		`["socket_disconnected","/"]`,
		`["room_joined","/",1,"x"]`,
		`["event_received","/","x","not an array"]`,
		`["session",` + `"` + strings.Repeat("a", 2000) + `"]`,
	} {
		var got []Change
		c := newClient(Options{OnChange: func(ch Change) { got = append(got, ch) }})
		c.onEvent(event(e))
		if len(got) != 1 || got[0].Kind != Malformed || got[0].Err == nil {
			t.Errorf("%s: %+v", e, got)
		}
	}
}

func TestActionsChecked(t *testing.T) {
	for _, tc := range []struct {
		features string
		do       func(c *Client) error
		want     string
	}{
		{`["AGGREGATED_EVENTS","ALL_EVENTS"]`, func(c *Client) error { return act(c, Action{Kind: "emit", Target: Target{All: true}}) }, "read-only"},
		{`["EMIT","JOIN","LEAVE","DISCONNECT"]`, func(c *Client) error { return act(c, Action{Kind: "join", Room: "r", Target: Target{Room: "a"}}) }, "one socket at a time"},
		{`["EMIT","JOIN","LEAVE","DISCONNECT"]`, func(c *Client) error { return act(c, Action{Kind: "disconnect", Target: Target{All: true}}) }, "one socket at a time"},
		{`["EMIT","LEAVE"]`, func(c *Client) error { return act(c, Action{Kind: "join", Room: "r", Target: Target{Socket: "a"}}) }, "does not offer join"},
	} {
		c := newClient(Options{})
		c.onEvent(event(`["config",{"supportedFeatures":` + tc.features + `}]`))
		err := tc.do(c)
		if _, ok := err.(*RefusedError); !ok || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want a refusal saying %q", tc.features, err, tc.want)
		}
	}
}

func act(c *Client, a Action) error {
	a.Namespace = "/"
	_, err := c.Act(context.Background(), a)
	return err
}

// FuzzEvents feeds the client what a hostile admin namespace could send.
func FuzzEvents(f *testing.F) {
	for _, s := range []string{capConfig, capSession, capAllSockets, capConnected, capOwnRoom, capUpdated, capReceived, capJoined, capStats, capLeft, capDisconneted} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		p := &codec.Packet{Type: codec.Event, Data: json.RawMessage(data)}
		name, err := p.EventName()
		if err != nil {
			return
		}
		if _, err := p.Args(); err != nil {
			return
		}
		c := newClient(Options{OnChange: func(ch Change) {
			if ch.Kind == Malformed && ch.Err == nil {
				t.Error("a malformed change without its error")
			}
		}})
		c.onEvent(&sioclient.Event{Time: time.Now(), Name: name, Packet: p})
		for _, s := range c.Sockets() {
			if s.ID == "" || len(s.Rooms) > maxRooms {
				t.Errorf("kept a socket that should be refused: %+v", s)
			}
			_ = s.Redacted()
		}
		Rooms(c.Sockets())
	})
}
