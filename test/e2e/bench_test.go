package e2e

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/siocli/sio/internal/bench"
	"github.com/siocli/sio/internal/testserver"
)

// benchReport parses the JSON report sio bench printed.
func benchReport(t *testing.T, r result) *bench.Report {
	t.Helper()
	rep, err := bench.ReadReport([]byte(r.stdout))
	if err != nil {
		t.Fatalf("exit %d, %v; stdout:\n%s\nstderr:\n%s", r.code, err, r.stdout, r.stderr)
	}
	return rep
}

// TestBench runs K clients × M acked emits against the Node server over
// every Engine.IO version it speaks, and checks every counter; then the
// thresholds pass, and fail with exit 6 naming each one and its value.
func TestBench(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Config{Version: "4"})
	const k, m = 8, 5
	file := filepath.Join(t.TempDir(), "report.json")
	r := sio(t, "", "bench", s.URL(), "--clients", fmt.Sprint(k), "--iterations", fmt.Sprint(m),
		"--emit", `echo {"client": ${CLIENT}, "iter": ${ITER}}`, "--ack", "--expect", "echo-back", "--expect", "never",
		"--mix", "polling=25%", "--report", file, "--threshold", "ack.p99<5s", "--threshold", "errors==0", "-o", "json")
	rep := benchReport(t, r)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	c := rep.Counters
	if c.Connects != k || c.Emits != k*m || c.Acks != k*m || c.Errors != 0 || c.Disconnects != 0 {
		t.Errorf("counters %+v", c)
	}
	// The server emits echo-back after the ack: a client's last one can
	// come after it closed on a slow machine.
	if rep.Events["echo-back"] < k*(m-1) || rep.Events["never"] != 0 {
		t.Errorf("events %v", rep.Events)
	}
	if rep.Clients.Polling != 2 || rep.Clients.WebSocket != 6 || rep.Clients.Started != k {
		t.Errorf("clients %+v; want 2 of 8 on polling", rep.Clients)
	}
	for _, h := range []string{"open", "connect", "upgrade", "ack", "ack:echo", "gap:echo-back"} {
		if rep.Histograms[h].Count == 0 {
			t.Errorf("histogram %s is empty", h)
		}
	}
	if rep.Histograms["upgrade"].Count != 6 {
		t.Errorf("%d upgrades; want the 6 clients not kept on polling", rep.Histograms["upgrade"].Count)
	}
	if len(rep.Thresholds) != 2 || !rep.Thresholds[0].OK || !rep.Thresholds[1].OK {
		t.Errorf("thresholds %+v", rep.Thresholds)
	}
	if data, err := os.ReadFile(file); err != nil || !strings.Contains(string(data), `"sio_bench": 1`) {
		t.Errorf("--report: %v %.100s", err, data)
	}

	r = sio(t, "", "bench", s.URL(), "--clients", "2", "--iterations", "2", "--emit", "echo 1", "--ack",
		"--threshold", "ack.p50<0.001ms", "--threshold", "acks==4", "--threshold", "events:nope>0", "-o", "text")
	if r.code != 6 {
		t.Fatalf("failing thresholds: exit %d; stderr:\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"threshold failed: ack.p50<0.001ms  (measured ", "threshold failed: events:nope>0  (measured 0)"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "acks==4") || !strings.Contains(r.stdout, "ok      acks==4") {
		t.Errorf("the passing threshold:\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
}

// TestBenchRefused counts a refused namespace as connect errors with the
// server's message, and ends with exit 4 when no client got in.
func TestBenchRefused(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Config{Version: "4"})
	r := sio(t, "", "bench", s.URL()+"/admin", "-a", `{"token":"bad"}`, "--clients", "3", "--duration", "2s", "-o", "json")
	rep := benchReport(t, r)
	if r.code != 4 || !strings.Contains(r.stderr, "refused: Not authorized (3 times)") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
	if rep.ConnectErrors["refused: Not authorized"] != 3 || rep.Counters.Errors != 3 {
		t.Errorf("connect errors %v, counters %+v", rep.ConnectErrors, rep.Counters)
	}
}

// TestBenchServerKilled stops the server mid-run and starts it again: the
// disconnects are counted by reason, the reconnects counted, and the
// report still written.
func TestBenchServerKilled(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Config{Version: "4"})
	b := sioStart(t, "bench", s.URL(), "--clients", "4", "--duration", "5s", "--emit", "echo 1", "--ack", "--every", "100ms",
		"--timeout", "500ms", "--reconnect-delay", "100ms", "--reconnect-delay-max", "200ms", "-o", "json")
	time.Sleep(1500 * time.Millisecond)
	s.Stop()
	time.Sleep(500 * time.Millisecond)
	s.Restart(t)
	b.wait(t, 20*time.Second)
	rep := benchReport(t, result{stdout: b.stdout.String(), stderr: b.stderr.String()})
	// A client whose request was in flight when the server died sees a
	// transport error, the others a transport close.
	if n := rep.Disconnects["transport close"] + rep.Disconnects["transport error"]; n != 4 || rep.Counters.Disconnects != 4 {
		t.Errorf("disconnects %v; want 4, transport close or error", rep.Disconnects)
	}
	if rep.Counters.Reconnects != 4 || rep.Counters.Connects != 8 {
		t.Errorf("counters %+v; want 4 reconnects, 8 connects", rep.Counters)
	}
	if rep.Clients.Connected != 4 {
		t.Errorf("clients %+v", rep.Clients)
	}
}

// TestBenchScenario runs a scenario file in each client: acks checked,
// server events expected, values carried from one step to the next.
func TestBenchScenario(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Config{Version: "4"})
	dir := t.TempDir()
	file := filepath.Join(dir, "chat.sio")
	os.WriteFile(file, []byte(`# each client, each iteration
emit echo {"user": "u${CLIENT}", "n": ${ITER}} --expect [{"n": ${ITER}}]
set n = args[0].n
expect echo-back [{"user": "u${CLIENT}"}]
emit ack ${n} --ack
`), 0o644)
	r := sio(t, "", "bench", s.URL(), "--clients", "3", "--iterations", "4", "--scenario", file, "-o", "json")
	rep := benchReport(t, r)
	if r.code != 0 || rep.Counters.Acks != 24 || rep.Counters.Emits != 24 || rep.Counters.StepErrors != 0 {
		t.Errorf("exit %d: %+v %v\n%s", r.code, rep.Counters, rep.StepErrors, r.stderr)
	}
	if rep.Histograms["ack:echo"].Count != 12 || rep.Histograms["ack:ack"].Count != 12 {
		t.Errorf("per event: %d echo, %d ack", rep.Histograms["ack:echo"].Count, rep.Histograms["ack:ack"].Count)
	}

	// A failing expectation is counted with its line, not hidden.
	os.WriteFile(file, []byte("emit echo 1 --expect [2]\n"), 0o644)
	r = sio(t, "", "bench", s.URL(), "--clients", "2", "--iterations", "2", "--scenario", file, "-o", "json", "--threshold", "step_errors==0")
	rep = benchReport(t, r)
	if r.code != 6 || rep.Counters.StepErrors != 4 {
		t.Errorf("exit %d, %+v", r.code, rep.Counters)
	}
	for k := range rep.StepErrors {
		if !strings.HasPrefix(k, "line 1: emit echo 1 --expect [2]: ") {
			t.Errorf("step error %q", k)
		}
	}

	// A step a load test cannot take is refused before anything runs.
	os.WriteFile(file, []byte("emit a\nconnect http://elsewhere\n"), 0o644)
	r = sio(t, "", "bench", s.URL(), "--scenario", file)
	if r.code != 2 || !strings.Contains(r.stderr, "line 2: connect cannot be a load test's step") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
}

// TestBenchShards runs four shards as processes and merges their reports:
// the counts are an unsharded run's, and the merged percentiles are those
// of all the values, between the shards' own.
func TestBenchShards(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Config{Version: "4"})
	dir := t.TempDir()
	args := []string{"bench", s.URL(), "--clients", "10", "--iterations", "6", "--emit", "echo ${CLIENT}", "--ack", "--ramp", "500ms"}
	var runs []*started
	var files []string
	for i := 1; i <= 4; i++ {
		f := filepath.Join(dir, fmt.Sprintf("shard%d.json", i))
		files = append(files, f)
		runs = append(runs, sioStart(t, append(args, "--shard", fmt.Sprintf("%d/4", i), "--report", f, "-o", "json")...))
	}
	for _, r := range runs {
		if code := r.wait(t, 30*time.Second); code != 0 {
			t.Fatalf("shard: exit %d: %s", code, r.stderr)
		}
	}
	whole := benchReport(t, sio(t, "", append(args, "-o", "json")...))
	m := sio(t, "", append([]string{"bench", "merge", "-o", "json", "--threshold", "acks==60"}, files...)...)
	merged := benchReport(t, m)
	if m.code != 0 {
		t.Fatalf("merge: exit %d: %s", m.code, m.stderr)
	}
	if merged.Counters.Acks != whole.Counters.Acks || merged.Counters.Emits != whole.Counters.Emits ||
		merged.Counters.Connects != whole.Counters.Connects || merged.Clients.Started != whole.Clients.Started {
		t.Errorf("merged %+v %+v; unsharded %+v %+v", merged.Counters, merged.Clients, whole.Counters, whole.Clients)
	}
	if len(merged.Shards) != 4 || merged.Clients.Started != 10 {
		t.Errorf("shards %v, clients %+v", merged.Shards, merged.Clients)
	}
	lo, hi := 1e9, 0.0
	var count int64
	for _, f := range files {
		data, _ := os.ReadFile(f)
		rep, err := bench.ReadReport(data)
		if err != nil {
			t.Fatal(err)
		}
		st := rep.Histograms["ack"]
		lo, hi, count = min(lo, st.P50), max(hi, st.P50), count+st.Count
	}
	p50 := merged.Histograms["ack"].P50
	if merged.Histograms["ack"].Count != count || p50 < lo*(1-bench.Accuracy) || p50 > hi*(1+bench.Accuracy) {
		t.Errorf("merged ack p50 %v of %d; the shards' p50 from %v to %v, %d values", p50, merged.Histograms["ack"].Count, lo, hi, count)
	}

	// Reports that do not belong together are refused.
	data, _ := os.ReadFile(files[0])
	var other map[string]any
	json.Unmarshal(data, &other)
	other["target"] = "http://elsewhere"
	data, _ = json.Marshal(other)
	os.WriteFile(files[1], data, 0o644)
	if r := sio(t, "", "bench", "merge", files[0], files[1]); r.code != 2 || !strings.Contains(r.stderr, "report 2 is of http://elsewhere") {
		t.Errorf("merging other runs: exit %d: %s", r.code, r.stderr)
	}
}

// TestBenchInterrupt stops a run with Ctrl-C: the ramp stops, every
// client disconnects, and the report of what ran is printed, saying it
// was cut short; the exit code is 1, as for every command Ctrl-C ends.
func TestBenchInterrupt(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Config{Version: "4"})
	b := sioStart(t, "bench", s.URL(), "--clients", "20", "--ramp", "20s", "--duration", "60s", "-o", "json")
	time.Sleep(2500 * time.Millisecond)
	b.cmd.Process.Signal(syscall.SIGINT)
	code := b.wait(t, 10*time.Second)
	rep := benchReport(t, result{stdout: b.stdout.String(), stderr: b.stderr.String(), code: code})
	// One client arrives a second: about three by the Ctrl-C, fewer or
	// more on a loaded machine, never all twenty.
	if code != 1 || !strings.Contains(b.stdout.String(), `"interrupted": true`) || rep.Clients.Started < 1 || rep.Clients.Started > 10 || rep.Counters.Connects != rep.Clients.Started {
		t.Errorf("exit %d, clients %+v, counters %+v", code, rep.Clients, rep.Counters)
	}
	if rep.Seconds > 10 {
		t.Errorf("ran %vs after Ctrl-C", rep.Seconds)
	}
}

// TestBenchStartAt waits for --start-at before the first client starts.
func TestBenchStartAt(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Config{Version: "4"})
	at := time.Now().Add(2 * time.Second).Truncate(time.Second).Add(time.Second)
	r := sio(t, "", "bench", s.URL(), "--clients", "2", "--iterations", "1", "--emit", "echo 1", "--ack",
		"--start-at", at.UTC().Format(time.RFC3339), "-o", "json")
	rep := benchReport(t, r)
	if r.code != 0 || !rep.Started.Equal(at) || rep.Counters.Acks != 2 {
		t.Errorf("exit %d, started %v (want %v), %+v", r.code, rep.Started, at, rep.Counters)
	}
}

// TestBenchServe load-tests sio's own server.
func TestBenchServe(t *testing.T) {
	t.Parallel()
	_, url := serve(t, "--echo", "-o", "json")
	r := sio(t, "", "bench", url, "--clients", "5", "--iterations", "3", "--emit", "hello ${ITER}", "--ack", "-o", "json")
	rep := benchReport(t, r)
	if r.code != 0 || rep.Counters.Acks != 15 || rep.Events["hello"] < 10 {
		t.Errorf("exit %d: %+v %v %s", r.code, rep.Counters, rep.Events, r.stderr)
	}
}

// TestBenchUsage refuses what cannot run, before anything connects.
func TestBenchUsage(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--clients", "0"}, "--clients 0"},
		{[]string{"--threshold", "ack<1"}, "ack is a histogram; name a figure of it"},
		{[]string{"--threshold", "fast"}, "want METRIC OP VALUE"},
		{[]string{"--shard", "5/4"}, "--shard \"5/4\""},
		{[]string{"--mix", "polling=20"}, "want polling=P%"},
		{[]string{"--iterations", "3"}, "give --emit or --scenario"},
		{[]string{"--emit", "a", "--scenario", "x.sio"}, "not both"},
		{[]string{"--emit", `a {"x":`}, "--emit"},
		{[]string{"--mix", "polling=10%", "--transport", "websocket"}, "allows none"},
		{[]string{"--start-at", "tomorrow"}, "want a time such as"},
		{[]string{"--start-at", "2020-01-01T00:00:00Z"}, "--start-at 2020-01-01T00:00:00Z was "},
	} {
		r := sio(t, "", append([]string{"bench", "http://127.0.0.1:1"}, c.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d: %s", c.args, r.code, r.stderr)
		}
	}
}

// TestBenchUnreachable ends at once when no client can reach the server,
// however long the run was to last.
func TestBenchUnreachable(t *testing.T) {
	t.Parallel()
	start := time.Now()
	r := sio(t, "", "bench", "http://127.0.0.1:1", "-c", "5", "-d", "5m", "-o", "text")
	if r.code != 3 || !strings.Contains(r.stderr, "no client connected") || !strings.Contains(r.stderr, "connection refused (5 times)") || time.Since(start) > 20*time.Second {
		t.Errorf("exit %d after %v: %s", r.code, time.Since(start), r.stderr)
	}
}

// TestBenchFileLimit says, before anything connects, that the open files
// limit is too low for the clients asked for, naming ulimit -n.
func TestBenchFileLimit(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("bash", "-c", "ulimit -n 100 && exec \"$0\" bench http://127.0.0.1:1 --clients 200", sioBin).CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), "200 clients need about 464 open files; the limit is 100 (raise it with ulimit -n 464") {
		t.Errorf("%v: %s", err, out)
	}
}

// TestBenchTerminal runs sio bench on a terminal: it asks before more than
// a thousand clients, shows the status line in place while it runs, and
// prints the summary.
func TestBenchTerminal(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Config{Version: "4"})
	tm := startTerm(t, "bench", s.URL(), "--clients", "1001", "--duration", "1s")
	tm.expect(0, "Start 1001 clients against "+s.URL()+"? [y/N]")
	tm.typ("n\r")
	select {
	case err := <-tm.exit():
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 {
			t.Errorf("answered no: %v\n%s", err, tm.screen())
		}
		tm.expect(0, "not started (--yes starts without asking)") // the terminal may give the last line after the exit
	case <-time.After(15 * time.Second):
		t.Fatalf("still running after no:\n%s", tm.screen())
	}

	tm = startTerm(t, "bench", s.URL(), "--clients", "3", "--duration", "2500ms", "--emit", "echo 1", "--ack", "--every", "100ms")
	mark := tm.expect(0, "clients 3/3  emits/s ")
	mark = tm.expect(mark, "ack p50 ")
	tm.expect(mark, "sio bench "+s.URL()+": 3 clients, ")
	if err := <-tm.exit(); err != nil {
		t.Errorf("exit: %v\n%s", err, tm.screen())
	}
	if !strings.Contains(tm.out.String(), "\r\x1b[K") {
		t.Errorf("the status line is not redrawn in place:\n%q", tm.out.String())
	}
}
