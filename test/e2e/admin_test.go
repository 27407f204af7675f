package e2e

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/siocli/sio/internal/testserver"
)

// adminRow is a line of sio admin's JSON output: a list's row or a change.
type adminRow struct {
	Type      string                            `json:"type"`
	NS        string                            `json:"ns"`
	ID        string                            `json:"id"`
	Rooms     []string                          `json:"rooms"`
	Sockets   []string                          `json:"sockets"`
	Room      string                            `json:"room"`
	Reason    string                            `json:"reason"`
	Event     string                            `json:"event"`
	Args      json.RawMessage                   `json:"args"`
	Transport string                            `json:"transport"`
	Server    string                            `json:"server"`
	Self      bool                              `json:"self"`
	Handshake struct{ Query map[string]string } `json:"handshake"`
}

func adminRows(t *testing.T, out string) []adminRow {
	t.Helper()
	var rows []adminRow
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		var r adminRow
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("not a JSON line: %q: %v", l, err)
		}
		rows = append(rows, r)
	}
	return rows
}

func findRow(rows []adminRow, f func(adminRow) bool) *adminRow {
	if i := slices.IndexFunc(rows, f); i >= 0 {
		return &rows[i]
	}
	return nil
}

// startAdminServer starts socket.io of version v instrumented as a says.
func startAdminServer(t *testing.T, v string, a testserver.Admin) string {
	t.Helper()
	return testserver.Start(t, testserver.Config{Version: v, Admin: &a}).URL()
}

var adminPW = []string{"SIO_ADMIN_PASSWORD=s3cret"}

func TestAdminLists(t *testing.T) {
	t.Parallel()
	url := startAdminServer(t, "4", testserver.Admin{User: "admin", Password: "s3cret"})
	chat := testserver.StartResident(t, url, testserver.ResidentConfig{Namespace: "/chat", Rooms: []string{"room1", "vip"}, Transports: []string{"polling"}, Query: "token=abc"})
	root := testserver.StartResident(t, url, testserver.ResidentConfig{Rooms: []string{"room1"}})

	r := sioWith(t, adminPW, "", "admin", url, "-u", "admin")
	if r.code != 0 {
		t.Fatalf("sockets: exit %d\n%s", r.code, r.stderr)
	}
	rows := adminRows(t, r.stdout)
	c := findRow(rows, func(r adminRow) bool { return r.ID == chat.ID })
	if c == nil || c.Type != "socket" || c.NS != "/chat" || !slices.Equal(c.Rooms, []string{"room1", "vip"}) || c.Transport != "polling" {
		t.Fatalf("the /chat socket is not listed as it is: %+v\n%s", c, r.stdout)
	}
	if got := c.Handshake.Query["token"]; got != "[redacted]" {
		t.Errorf("the token in the handshake's query is shown as %q", got)
	}
	if findRow(rows, func(r adminRow) bool { return r.Self && r.NS == "/admin" }) == nil {
		t.Errorf("sio's own admin socket is not marked: %s", r.stdout)
	}
	if strings.Contains(r.stdout, "abc") {
		t.Errorf("a secret is printed: %s", r.stdout)
	}

	// Filters, the table, the rooms, --show-secrets, the password on stdin.
	r = sioWith(t, adminPW, "", "admin", url, "-u", "admin", "sockets", "--of", "/", "--via", "websocket")
	if rows := adminRows(t, r.stdout); len(rows) != 1 || rows[0].ID != root.ID {
		t.Errorf("--of / --via websocket: want only %s, got\n%s", root.ID, r.stdout)
	}
	r = sioWith(t, adminPW, "", "admin", url, "-u", "admin", "-o", "text", "--room", "vip")
	if !strings.Contains(r.stdout, "NAMESPACE") || !strings.Contains(r.stdout, chat.ID) || strings.Contains(r.stdout, root.ID) || !strings.Contains(r.stdout, "room1, vip") {
		t.Errorf("the table of room vip:\n%s", r.stdout)
	}
	r = sioWith(t, adminPW, "", "admin", url, "-u", "admin", "rooms")
	rows = adminRows(t, r.stdout)
	if room := findRow(rows, func(r adminRow) bool { return r.Type == "room" && r.NS == "/chat" && r.Room == "vip" }); room == nil || !slices.Equal(room.Sockets, []string{chat.ID}) {
		t.Errorf("rooms: no /chat vip with %s:\n%s", chat.ID, r.stdout)
	}
	if findRow(rows, func(r adminRow) bool { return r.Room == chat.ID }) != nil {
		t.Errorf("rooms lists a socket's own room:\n%s", r.stdout)
	}
	r = sio(t, "s3cret\n", "admin", url, "-u", "admin", "--password-stdin", "--show-secrets", "--of", "/chat")
	if !strings.Contains(r.stdout, `"token":"abc"`) {
		t.Errorf("--show-secrets --password-stdin: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// Wrong or missing credentials, bad flags.
	r = sioWith(t, []string{"SIO_ADMIN_PASSWORD=nope"}, "", "admin", url, "-u", "admin")
	if r.code != 4 || !strings.Contains(r.stderr, "invalid credentials") {
		t.Errorf("a wrong password: exit %d, %s", r.code, r.stderr)
	}
	r = sio(t, "", "admin", url)
	if r.code != 4 || !strings.Contains(r.stderr, "-u USER") {
		t.Errorf("no credentials: exit %d, %s", r.code, r.stderr)
	}
	r = sio(t, "", "admin", url, "-u", "admin")
	if r.code != 2 || !strings.Contains(r.stderr, "SIO_ADMIN_PASSWORD") {
		t.Errorf("-u without a password: exit %d, %s", r.code, r.stderr)
	}
	for _, args := range [][]string{{"frob"}, {"join"}, {"join", "r"}, {"sockets", "--all"}, {"emit", "x", "--socket", "a"}, {"sockets", "--via", "carrier-pigeon"}, {"sockets", "-n", "/chat"}} {
		r = sioWith(t, adminPW, "", append([]string{"admin", url, "-u", "admin"}, args...)...)
		if r.code != 2 {
			t.Errorf("sio admin %v: exit %d, want 2: %s", args, r.code, r.stderr)
		}
	}
}

func TestAdminActions(t *testing.T) {
	t.Parallel()
	url := startAdminServer(t, "4", testserver.Admin{})
	chat := testserver.StartResident(t, url, testserver.ResidentConfig{Namespace: "/chat", Rooms: []string{"vip"}})
	other := testserver.StartResident(t, url, testserver.ResidentConfig{Namespace: "/chat"})

	r := sio(t, "", "admin", url, "join", "lobby", "--room", "vip", "--of", "/chat")
	rows := adminRows(t, r.stdout)
	if r.code != 0 || findRow(rows, func(r adminRow) bool { return r.Type == "room_joined" && r.ID == chat.ID && r.Room == "lobby" }) == nil {
		t.Fatalf("join: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if s := findRow(rows, func(r adminRow) bool { return r.Type == "socket" && r.ID == chat.ID }); s == nil || !slices.Contains(s.Rooms, "lobby") {
		t.Errorf("join: the socket list after it does not show the room:\n%s", r.stdout)
	}

	r = sio(t, "", "admin", url, "emit", "news", `"hello"`, "{\"n\":1}", "--to", "lobby", "--of", "/chat")
	if r.code != 0 || findRow(adminRows(t, r.stdout), func(r adminRow) bool { return r.Type == "event_sent" && r.ID == chat.ID && r.Event == "news" }) == nil {
		t.Errorf("emit: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	select {
	case l := <-chat.Lines:
		if l != `{"event":"news","args":["hello",{"n":1}]}` {
			t.Errorf("the client got %s", l)
		}
	case <-time.After(5 * time.Second):
		t.Error("the client in the room got no event")
	}
	select {
	case l := <-other.Lines:
		t.Errorf("a client outside the room got %s", l)
	default:
	}

	r = sio(t, "", "admin", url, "leave", "lobby", "--socket", chat.ID, "--of", "/chat", "-o", "text")
	if r.code != 0 || !strings.Contains(r.stdout, "● leave  lobby") || !strings.Contains(r.stdout, "NAMESPACE") {
		t.Errorf("leave, as text: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = sio(t, "", "admin", url, "disconnect", "--socket", other.ID, "--of", "/chat")
	if d := findRow(adminRows(t, r.stdout), func(r adminRow) bool { return r.Type == "socket_disconnected" }); r.code != 0 || d == nil || d.ID != other.ID || d.Reason != "server namespace disconnect" {
		t.Errorf("disconnect: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if l := <-other.Lines; l != `{"disconnect":"io server disconnect"}` {
		t.Errorf("the disconnected client says %s", l)
	}
	r = sio(t, "", "admin", url, "disconnect", "--socket", "no-such-socket", "--of", "/chat")
	if r.code != 1 || !strings.Contains(r.stderr, "no socket of /chat matches --socket no-such-socket") {
		t.Errorf("disconnect of a socket that is not there: exit %d, %s", r.code, r.stderr)
	}
}

func TestAdminWatch(t *testing.T) {
	t.Parallel()
	url := startAdminServer(t, "4", testserver.Admin{User: "admin", Password: "s3cret"})
	watch := sioStartEnv(t, adminPW, "admin", url, "-u", "admin", "watch", "--stats", "--of", "/chat")
	watch.waitFor(t, `"type":"server_stats"`, 1)
	if r := sio(t, "", "emit", url+"/chat", "join", `"lobby"`, "--ack"); r.code != 0 {
		t.Fatalf("emit: %d %s", r.code, r.stderr)
	}
	watch.waitFor(t, `"type":"socket_disconnected"`, 1)
	rows := adminRows(t, watch.stdout.String())
	var id string
	for _, want := range []string{"socket_connected", "event_received", "room_joined", "socket_disconnected"} {
		r := findRow(rows, func(r adminRow) bool { return r.Type == want && r.NS == "/chat" })
		if r == nil {
			t.Errorf("watch printed no %s:\n%s", want, watch.stdout)
			continue
		}
		if id == "" {
			id = r.ID
		} else if r.ID != id {
			t.Errorf("%s is of %s, not of the socket that connected (%s)", want, r.ID, id)
		}
	}
	if e := findRow(rows, func(r adminRow) bool { return r.Type == "event_received" }); e != nil && (e.Event != "join" || string(e.Args) != `["lobby"]`) {
		t.Errorf("event_received: %+v", e)
	}
	if findRow(rows, func(r adminRow) bool { return r.NS == "/" || r.NS == "/admin" && r.Type != "connect" }) != nil {
		t.Errorf("--of /chat let other namespaces through:\n%s", watch.stdout)
	}
}

func TestAdminProductionAndReadOnly(t *testing.T) {
	t.Parallel()
	prod := startAdminServer(t, "4", testserver.Admin{Production: true})
	testserver.StartResident(t, prod, testserver.ResidentConfig{Namespace: "/chat", Rooms: []string{"vip"}})
	r := sio(t, "", "admin", prod, "sockets")
	if r.code != 0 || !strings.Contains(r.stderr, "production mode") {
		t.Fatalf("production sockets: exit %d, %s", r.code, r.stderr)
	}
	if s := findRow(adminRows(t, r.stdout), func(r adminRow) bool { return r.Type == "server" }); s == nil {
		t.Errorf("production mode: no counts from the stats:\n%s", r.stdout)
	}
	r = sio(t, "", "admin", prod, "watch", "--duration", "3s")
	if r.code != 0 || !strings.Contains(r.stdout, `"type":"server_stats"`) || !strings.Contains(r.stdout, `"/chat":1`) {
		t.Errorf("production watch: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = sio(t, "", "admin", prod, "emit", "news", "1", "--all", "--of", "/chat")
	if r.code != 0 || !strings.Contains(r.stderr, "no change to confirm") {
		t.Errorf("production emit: exit %d, %s", r.code, r.stderr)
	}

	ro := startAdminServer(t, "4", testserver.Admin{ReadOnly: true})
	res := testserver.StartResident(t, ro, testserver.ResidentConfig{})
	r = sio(t, "", "admin", ro, "--of", "/")
	if r.code != 0 || findRow(adminRows(t, r.stdout), func(r adminRow) bool { return r.ID == res.ID }) == nil {
		t.Errorf("read-only sockets: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = sio(t, "", "admin", ro, "disconnect", "--all")
	if r.code != 4 || !strings.Contains(r.stderr, "read-only") {
		t.Errorf("an action on a read-only server: exit %d, %s", r.code, r.stderr)
	}

	// A server without the admin UI.
	plain := testserver.Start(t, testserver.Config{Version: "4"}).URL()
	r = sio(t, "", "admin", plain, "--admin-ns", "/ops")
	if r.code != 4 || !strings.Contains(r.stderr, "instrumented with @socket.io/admin-ui") {
		t.Errorf("no admin namespace: exit %d, %s", r.code, r.stderr)
	}
}

func TestAdminSocketIO3(t *testing.T) {
	t.Parallel()
	url := startAdminServer(t, "3", testserver.Admin{})
	res := testserver.StartResident(t, url, testserver.ResidentConfig{Namespace: "/chat", Rooms: []string{"vip"}})
	r := sio(t, "", "admin", url, "sockets", "--of", "/chat")
	if rows := adminRows(t, r.stdout); r.code != 0 || len(rows) != 1 || rows[0].ID != res.ID {
		t.Fatalf("3.1 sockets: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = sio(t, "", "admin", url, "join", "lobby", "--room", "vip", "--of", "/chat")
	if r.code != 4 || !strings.Contains(r.stderr, "one socket at a time") {
		t.Errorf("3.1 join by room: exit %d, %s", r.code, r.stderr)
	}
	r = sio(t, "", "admin", url, "join", "lobby", "--socket", res.ID, "--of", "/chat")
	if r.code != 0 || findRow(adminRows(t, r.stdout), func(r adminRow) bool { return r.Type == "room_joined" && r.Room == "lobby" }) == nil {
		t.Errorf("3.1 join by socket: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestAdminCluster(t *testing.T) {
	t.Parallel()
	url := startAdminServer(t, "4", testserver.Admin{Cluster: 2})
	ws := testserver.ResidentConfig{Namespace: "/chat", Rooms: []string{"vip"}, Transports: []string{"websocket"}}
	a, b := testserver.StartResident(t, url, ws), testserver.StartResident(t, url, ws)
	r := sio(t, "", "admin", url, "servers", "--transport", "websocket")
	var servers []string
	for _, row := range adminRows(t, r.stdout) {
		if row.Type == "server" {
			servers = append(servers, row.Server)
		}
	}
	if r.code != 0 || len(servers) != 2 {
		t.Fatalf("servers of a cluster of two: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = sio(t, "", "admin", url, "rooms", "--transport", "websocket")
	if room := findRow(adminRows(t, r.stdout), func(r adminRow) bool { return r.Room == "vip" }); room == nil || len(room.Sockets) != 2 || !slices.Contains(room.Sockets, a.ID) || !slices.Contains(room.Sockets, b.ID) {
		t.Errorf("rooms across the cluster:\n%s%s", r.stdout, r.stderr)
	}

	tm := startTerm(t, "admin", url, "--transport", "websocket", "top")
	mark := tm.expect(0, "development mode")
	for _, s := range servers {
		tm.expect(mark, s)
	}
	tm.expect(mark, "vip")
	tm.typ("s")
	tm.expect(mark, "sort (by traffic)")
	tm.typ("q")
	select {
	case err := <-tm.exit():
		if err != nil {
			t.Errorf("top after q: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("top did not quit on q")
	}
	if !strings.Contains(tm.out.String(), "\x1b[?1049l") {
		t.Error("top did not leave the alternate screen")
	}

	r = sio(t, "", "admin", url, "top", "--transport", "websocket", "--duration", "3500ms", "--interval", "1s")
	rows := adminRows(t, r.stdout)
	if r.code != 0 || findRow(rows, func(r adminRow) bool { return r.Type == "top" && r.Server == servers[0] }) == nil {
		t.Errorf("top when piped: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestAdminInTheShell(t *testing.T) {
	t.Parallel()
	url := startAdminServer(t, "4", testserver.Admin{User: "admin", Password: "s3cret"})
	res := testserver.StartResident(t, url, testserver.ResidentConfig{Namespace: "/chat", Rooms: []string{"vip"}})
	script := "admin -u admin --of /chat\n" +
		"admin join lobby --socket " + res.ID + " --of /chat\n" +
		"admin watch on\n" +
		"emit echo 7 --ack\n" +
		"admin emit\n" +
		"admin rooms --of /chat\n"
	r := sioWith(t, adminPW, script, "repl", url, "-o", "text")
	for _, want := range []string{"/chat      " + res.ID, "● join  lobby", "received  echo  7", "lobby  1", "admin emit wants the EVENT"} {
		if !strings.Contains(r.stdout+r.stderr, want) {
			t.Errorf("no %q in the shell's output:\n%s%s", want, r.stdout, r.stderr)
		}
	}
	if strings.Contains(r.stdout+r.stderr, "● stats") {
		t.Errorf("admin watch printed a development-mode server's stats:\n%s", r.stdout)
	}
}

// adminUI runs test/servers/admin-ui-client.js: socket.io-client 4.8 on an
// admin namespace as the admin UI's page connects.
func adminUI(t *testing.T, args ...string) []adminRow {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node not found on PATH: %s", testserver.InstallHint)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, append([]string{filepath.Join(testserver.Dir(), "admin-ui-client.js")}, args...)...).Output()
	if err != nil {
		t.Fatalf("admin-ui-client.js %v: %v\n%s", args, err, out)
	}
	var rows []adminRow
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var e struct {
			Event string            `json:"event"`
			Args  []json.RawMessage `json:"args"`
		}
		json.Unmarshal([]byte(l), &e)
		rows = append(rows, adminRow{Type: e.Event, Args: json.RawMessage(strings.Join(rawStrings(e.Args), ","))})
	}
	return rows
}

func rawStrings(rs []json.RawMessage) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}

func TestAdminOfSioServe(t *testing.T) {
	t.Parallel()
	s, url := serveEnv(t, adminPW, "--rooms", "--admin", "--admin-user", "admin")
	res := testserver.StartResident(t, url, testserver.ResidentConfig{Namespace: "/chat", Rooms: []string{"vip"}})

	r := sioWith(t, adminPW, "", "admin", url, "-u", "admin", "rooms")
	if room := findRow(adminRows(t, r.stdout), func(r adminRow) bool { return r.Room == "vip" }); r.code != 0 || room == nil || !slices.Equal(room.Sockets, []string{res.ID}) {
		t.Fatalf("rooms of sio serve: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = sioWith(t, adminPW, "", "admin", url, "-u", "admin", "emit", "news", `"hi"`, "--to", "vip", "--of", "/chat")
	if r.code != 0 || findRow(adminRows(t, r.stdout), func(r adminRow) bool { return r.Type == "event_sent" && r.ID == res.ID }) == nil {
		t.Errorf("emit through sio serve's admin namespace: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if l := <-res.Lines; l != `{"event":"news","args":["hi"]}` {
		t.Errorf("the client in the room got %s", l)
	}
	r = sioWith(t, adminPW, "", "admin", url, "-u", "admin", "servers")
	if srv := findRow(adminRows(t, r.stdout), func(r adminRow) bool { return r.Type == "server" }); r.code != 0 || srv == nil {
		t.Errorf("servers of sio serve: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = sioWith(t, []string{"SIO_ADMIN_PASSWORD=nope"}, "", "admin", url, "-u", "admin")
	if r.code != 4 || !strings.Contains(r.stderr, "invalid credentials") {
		t.Errorf("a wrong password: exit %d, %s", r.code, r.stderr)
	}

	// As the admin UI's page connects, and clicks a room button.
	rows := adminUI(t, "--url", url, "--user", "admin", "--password", "s3cret", "--join", "lobby", "--nsp", "/chat")
	for _, want := range []string{"session", "config", "all_sockets", "room_joined", "server_stats"} {
		if findRow(rows, func(r adminRow) bool { return r.Type == want }) == nil {
			t.Errorf("the admin UI's client got no %s: %+v", want, rows)
		}
	}
	r = sioWith(t, adminPW, "", "admin", url, "-u", "admin", "disconnect", "--room", "lobby", "--of", "/chat")
	if r.code != 0 || findRow(adminRows(t, r.stdout), func(r adminRow) bool { return r.Type == "socket_disconnected" && r.ID == res.ID }) == nil {
		t.Errorf("disconnect by room: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if l := <-res.Lines; l != `{"disconnect":"io server disconnect"}` {
		t.Errorf("the disconnected client says %s", l)
	}
	for _, want := range []string{`"type":"join"`, `"room":"vip"`, `"room":"lobby"`} {
		if !strings.Contains(s.stdout.String(), want) {
			t.Errorf("sio serve's log has no %s:\n%s", want, s.stdout)
		}
	}

	// The msgpack parser, and a read-only admin namespace.
	_, mp := serve(t, "--admin", "--parser", "msgpack", "--admin-readonly")
	rows = adminUI(t, "--url", mp, "--parser", "msgpack")
	if c := findRow(rows, func(r adminRow) bool { return r.Type == "config" }); c == nil || strings.Contains(string(c.Args), "JOIN") {
		t.Errorf("a read-only admin namespace over msgpack: %+v", rows)
	}
	r = sio(t, "", "admin", mp, "--parser", "msgpack", "join", "x", "--all", "--of", "/admin")
	if r.code != 4 || !strings.Contains(r.stderr, "read-only") {
		t.Errorf("an action on a read-only sio serve: exit %d, %s", r.code, r.stderr)
	}
}
