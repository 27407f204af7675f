package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/siocli/sio/internal/testserver"
)

func examples(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "scripts", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestRunExamples runs the example scripts against every version they
// suit.
func TestRunExamples(t *testing.T) {
	for _, v := range versions {
		t.Run("socket.io "+v, func(t *testing.T) {
			s := testserver.Start(t, testserver.Config{Version: v})
			files := []string{"smoke.sio"}
			if v != "2" { // 2.x servers have no auth payload
				files = append(files, "auth.sio")
			}
			for _, f := range files {
				r := sio(t, "", "run", filepath.Join(examples(t), f), s.URL(), "-o", "text")
				if r.code != 0 || !strings.Contains(r.stdout, " passed, 0 failed\n") {
					t.Errorf("%s: exit %d\n%s%s", f, r.code, r.stdout, r.stderr)
				}
			}
		})
	}
}

// TestRunFailures checks each kind of failed expectation: its message, its
// line, and the exit code.
func TestRunFailures(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "4"})
	tests := []struct {
		name, script, want string
		code               int
	}{
		{"wrong args", "emit --ack echo 1\nemit --ack echo 1 --expect [2]\n", "FAILED  line 2  emit --ack echo 1 --expect [2]\n        the ack [1]: [0] is 1, not 2\n", 6},
		{"wrong event args", "emit echo {\"ok\": false}\nexpect echo-back [{\"ok\": true}] --within 300ms\n",
			"no matching \"echo-back\" event within 300ms; the last one: echo-back [{\"ok\":false}]: [0].ok is false, not true", 6},
		{"timeout", "expect nothing --within 200ms\n", "FAILED  line 1  expect nothing --within 200ms\n        no \"nothing\" event within 200ms\n", 6},
		{"unexpected disconnect", "emit disconnect-me\nexpect-disconnect transport close\n", `disconnected for "io server disconnect", not "transport close"`, 6},
		{"ack timeout", "emit --ack --timeout 200ms silence\n", `no ack for "silence" on / within 200ms`, 5},
		{"refused", "connect -n /admin --auth {\"token\":\"bad\"}\n", `the server refused /admin: Not authorized {"code":42}`, 4},
		{"unset variable", "emit --ack echo ${nope}\n", "${nope} was not set", 6},
		{"emit after an expected refusal", "connect -n /admin --auth {\"token\":\"bad\"}\nexpect-error\nemit --ack echo 1\n", "FAILED  line 3  emit --ack echo 1\n        the server refused /admin", 4},
		{"refused, the namespace as connect's argument", "connect /admin --auth {\"token\":\"bad\"}\nemit --ack echo 1\n", `the server refused /admin: Not authorized {"code":42}`, 4},
		{"refused in the shell's ns", "emit --ack echo 1\nns /admin --auth {\"token\":\"bad\"}\n", `the server refused /admin: Not authorized {"code":42}`, 4},
		{"a MATCH that is not a list", "emit echo 5\nexpect echo-back 5 --within 300ms\n", "echo-back [5]: the arguments are a list, [5]: write the MATCH as a list too, such as [5]", 6},
		{"connect's URL given on the command line", "connect http://127.0.0.1:1/\nemit --ack echo 1\n", "ok      line 1  connect http://127.0.0.1:1/  -> to " + s.URL(), 0},
		{"options anywhere", "emit echo 1 --ack --expect [1]\nemit --expect [2] --ack echo 2\nset v = args[0]\nemit echo \"v=${v}\" --expect [\"v=2\"]\n", "4 passed, 0 failed", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sio(t, tt.script, "run", "-", s.URL(), "-o", "text")
			if r.code != tt.code || !strings.Contains(r.stdout, tt.want) {
				t.Errorf("exit %d, want %d; output:\n%s\nwant it to hold:\n%s", r.code, tt.code, r.stdout, tt.want)
			}
			if !strings.Contains(r.stdout, " failed\n") {
				t.Errorf("no summary:\n%s", r.stdout)
			}
		})
	}
}

// TestRunSyntaxError reports the line before anything connects: the URL
// is unreachable, and the error is still the syntax error.
func TestRunSyntaxError(t *testing.T) {
	r := sio(t, "emit --ack echo 1\nexpect {\"open\":\nfrobnicate\n", "run", "-", "127.0.0.1:1")
	if r.code != 2 || !strings.Contains(r.stderr, "line 2: unclosed quote or bracket") || r.stdout != "" {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = sio(t, "emit --ack echo 1\nfrobnicate now\n", "run", "-", "127.0.0.1:1")
	if r.code != 2 || !strings.Contains(r.stderr, "line 2: frobnicate: unknown command") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestRunJSONAndEnv reports steps as JSON objects and reads the
// environment.
func TestRunJSONAndEnv(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "4"})
	t.Setenv("SIO_TEST_TOKEN", "t0k")
	r := sio(t, `emit --ack echo "${ENV:SIO_TEST_TOKEN}" --expect ["t0k"]`+"\n", "run", "-", s.URL(), "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"ok":true`) || !strings.Contains(r.stdout, `{"passed":1,"failed":0}`) {
		t.Errorf("exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if !strings.HasPrefix(line, "{") {
			t.Errorf("not a JSON line: %s", line)
		}
	}
}

// TestRunReplaysSave: a session recorded with the shell's !save replays
// with sio run to the same result.
func TestRunReplaysSave(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "4"})
	file := filepath.Join(t.TempDir(), "recorded.sio")
	shell := sio(t, "emit --ack echo one\nemit ask q\nhelp\nemit --ack echo two\nns /admin --auth {\"token\":\"ok\"}\nemit --ack echo three\n!save "+file+"\nexit\n", "repl", s.URL())
	if shell.code != 0 {
		t.Fatalf("repl: exit %d: %s", shell.code, shell.stderr)
	}
	saved, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(saved), "help") || strings.Contains(string(saved), `"ok"`) {
		t.Errorf("the script keeps help, or the auth payload:\n%s", saved)
	}
	// The auth payload comes from the environment, as the script says.
	r := sioWith(t, []string{`SIO_AUTH={"token":"ok"}`}, "", "run", file, s.URL(), "-o", "text")
	if r.code != 0 || !strings.Contains(r.stdout, `-> ack ["one"]`) || !strings.Contains(r.stdout, `-> ack ["two"]`) || !strings.Contains(r.stdout, `-> ack ["three"]`) || !strings.Contains(r.stdout, "5 passed, 0 failed") {
		t.Errorf("replay: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := sio(t, "", "run", file, s.URL()); r.code != 2 || !strings.Contains(r.stderr, "environment variable SIO_AUTH is not set") {
		t.Errorf("without SIO_AUTH: exit %d %s", r.code, r.stderr)
	}
}

// TestRunURLOverrides: the URL after FILE wins over the script's connect.
func TestRunURLOverrides(t *testing.T) {
	s := testserver.Start(t, testserver.Config{Version: "4"})
	script := "connect http://127.0.0.1:1\nemit --ack echo 1 --expect [1]\n"
	if r := sio(t, script, "run", "-", s.URL()); r.code != 0 {
		t.Errorf("with a URL: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	script = "connect " + s.URL() + "\nemit --ack echo 1 --expect [1]\n"
	if r := sio(t, script, "run", "-"); r.code != 0 {
		t.Errorf("from the script: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Without a URL anywhere, or with nothing to run, the invocation is
	// wrong: exit 2 before anything connects.
	for _, src := range []string{"emit x\n", "print hi\nemit x\n", "connect\n", "# nothing\n", ""} {
		if r := sio(t, src, "run", "-"); r.code != 2 || r.stdout != "" {
			t.Errorf("%q without a URL: exit %d\n%s%s", src, r.code, r.stdout, r.stderr)
		}
	}
	if r := sio(t, "emit x\n", "run", "-"); !strings.Contains(r.stderr, "no URL") {
		t.Errorf("no URL at all: %s", r.stderr)
	}
	// Connection options are checked before anything runs, and a usage
	// error in them is exit 2.
	if r := sio(t, "emit x\n", "run", "-", s.URL(), "--transport", "pigeon"); r.code != 2 || r.stdout != "" {
		t.Errorf("--transport pigeon: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestRunAgainstServe runs the example for sio serve against it, over
// both protocol versions.
func TestRunAgainstServe(t *testing.T) {
	_, url := serve(t, "--echo")
	for _, eio := range []string{"3", "4"} {
		r := sio(t, "", "run", filepath.Join(examples(t), "serve.sio"), url, "--eio", eio, "-o", "text")
		if r.code != 0 || !strings.Contains(r.stdout, `all good for "u1"`) || !strings.Contains(r.stdout, " passed, 0 failed\n") {
			t.Errorf("EIO %s: exit %d\n%s%s", eio, r.code, r.stdout, r.stderr)
		}
	}
}

// TestRunOnConnect emits --on-connect after each connect of a script's
// session, the first and a reconnect, and lists and adds them in the shell.
func TestRunOnConnect(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Config{Version: "4"})
	script := "expect echo-back [\"hi\"]\nreconnect\nexpect echo-back [\"hi\"]\n"
	r := sio(t, script, "run", "-", s.URL(), "--on-connect", "emit echo hi --ack", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `{"passed":3,"failed":0}`) {
		t.Errorf("run --on-connect: exit %d, %s %s", r.code, r.stdout, r.stderr)
	}
	r = sio(t, "on-connect\non-connect emit join room1\non-connect emit echo 2 --ack\non-connect\non-connect clear\non-connect\n", "repl", s.URL(), "-o", "json")
	for _, want := range []string{"nothing is emitted after a connect", "after each connect: emit join room1", "   2  emit echo 2 --ack", "nothing is emitted after a connect any more"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the shell's on-connect: no %q in\n%s", want, r.stderr)
		}
	}
	if r := sio(t, "", "repl", s.URL(), "--on-connect", "ns /x"); r.code != 2 || !strings.Contains(r.stderr, "want an emit command") {
		t.Errorf("--on-connect 'ns /x': exit %d, %s", r.code, r.stderr)
	}
}
