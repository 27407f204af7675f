package admintop

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/siocli/sio/internal/admin"
)

func stats(id string, at time.Time, clients int, bytesOut int64) admin.Stats {
	return admin.Stats{ServerID: id, Hostname: "h", PID: 1, Uptime: 65, Clients: clients, PollingClients: 1, Received: at,
		Aggregated: []admin.AggregatedEvent{{Type: "bytesOut", Count: bytesOut}, {Type: "rawConnection", Count: 4}, {Type: "rawDisconnection", SubType: "ping timeout", Count: 2}},
		Namespaces: []admin.NamespaceCount{{Name: "/", Sockets: clients}, {Name: "/chat", Sockets: 1}}}
}

func TestRender(t *testing.T) {
	m := New()
	t0 := time.Now()
	m.Stats(stats("node-a", t0, 4, 2048))
	m.Stats(stats("node-a", t0.Add(2*time.Second), 4, 4096))
	m.Stats(stats("node-b\x1b[2J", t0.Add(time.Second), 10, 0))
	socks := []admin.Socket{
		{ID: "s1", Namespace: "/chat", Rooms: []string{"s1", "vip", "lobby"}},
		{ID: "s2", Namespace: "/chat", Rooms: []string{"s2", "lobby"}},
	}
	lines := m.Render(Frame{Title: "t", Now: t0.Add(2 * time.Second), Width: 80, Height: 40, Sockets: socks, Listed: true})
	screen := strings.Join(lines, "\n")
	for _, want := range []string{"development mode", "node-a", `node-b\x1b[2J`, "total", "2.0 KiB", "/chat", "lobby", "sort (by clients)"} {
		if !strings.Contains(screen, want) {
			t.Errorf("no %q in\n%s", want, screen)
		}
	}
	if strings.Contains(screen, "\x1b") {
		t.Error("a server's control characters reached the screen")
	}
	if strings.Index(screen, "node-b") > strings.Index(screen, "node-a") {
		t.Error("servers are not by clients, most first")
	}
	if strings.Index(screen, "lobby") > strings.Index(screen, "vip") {
		t.Error("rooms are not by sockets, most first")
	}
	for _, l := range lines {
		if utf8.RuneCountInString(l) > 80 {
			t.Errorf("a line wider than the terminal: %q", l)
		}
	}
	if m.CycleSort() != ByTraffic {
		t.Error("s does not sort by traffic next")
	}
	if lines := m.Render(Frame{Now: t0, Width: 40, Height: 6}); len(lines) != 6 {
		t.Errorf("%d lines on a terminal of 6", len(lines))
	}
	if screen := strings.Join(m.Render(Frame{Now: t0}), "\n"); !strings.Contains(screen, "production mode") || !strings.Contains(screen, "rooms: not reported") {
		t.Errorf("production mode:\n%s", screen)
	}
	if l := m.Lines(t0); len(l) != 2 || !strings.Contains(l[0], "conn/s 2.0") {
		t.Errorf("plain lines: %q", l)
	}
}
