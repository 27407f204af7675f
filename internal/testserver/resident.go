package testserver

import (
	"bufio"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Resident is a reference client (socket.io-client 4.8) that connected,
// joined its rooms and stays until the test ends.
type Resident struct {
	ID string
	// Lines are what it printed after connecting: {"event":…,"args":[…]}
	// for each event, {"disconnect":reason}.
	Lines <-chan string
}

// ResidentConfig chooses a Resident's connection.
type ResidentConfig struct {
	Namespace  string   // default /
	Rooms      []string // joined by emitting "join" ROOM (the test servers' handler)
	Transports []string // default polling and websocket
	Query      string   // k=v,k=v
}

// StartResident connects a reference client to url and returns once it is
// connected and in its rooms.
func StartResident(t testing.TB, url string, cfg ResidentConfig) *Resident {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node not found on PATH: %s", InstallHint)
	}
	args := []string{filepath.Join(Dir(), "resident.js"), "--url", url}
	if cfg.Namespace != "" {
		args = append(args, "--ns", cfg.Namespace)
	}
	if len(cfg.Rooms) > 0 {
		args = append(args, "--join", strings.Join(cfg.Rooms, ","))
	}
	if len(cfg.Transports) > 0 {
		args = append(args, "--transports", strings.Join(cfg.Transports, ","))
	}
	if cfg.Query != "" {
		args = append(args, "--query", cfg.Query)
	}
	cmd := exec.Command(node, args...)
	cmd.Dir = Dir()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	lines := make(chan string, 100)
	first := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		ok := false
		for sc.Scan() {
			if !ok {
				first <- sc.Text()
				ok = true
				continue
			}
			select {
			case lines <- sc.Text():
			default:
			}
		}
		close(lines)
		if !ok {
			close(first)
		}
	}()
	select {
	case l, ok := <-first:
		var r struct {
			ID           string `json:"id"`
			ConnectError string `json:"connect_error"`
		}
		if !ok || json.Unmarshal([]byte(l), &r) != nil || r.ID == "" {
			t.Fatalf("the reference client did not connect to %s: %s %s", url, l, stderr.String())
		}
		return &Resident{ID: r.ID, Lines: lines}
	case <-time.After(15 * time.Second):
		t.Fatalf("the reference client did not connect to %s within 15s: %s", url, stderr.String())
	}
	return nil
}
