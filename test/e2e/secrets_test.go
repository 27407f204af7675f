package e2e

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/siocli/sio/internal/testserver"
)

// secret matches every secret the tests below give sio: each place a
// secret can go has one of its own (s3cretQ1 in the URL's query, s3cretA1
// in -a...), so that a leak names where it came from.
var secret = regexp.MustCompile(`s3cret[A-Z][0-9]`)

// secretFlags puts a secret in each place the command line has for one:
// the URL's query, -q, -a, an Authorization header, a cookie, and a query
// parameter and a header that only --redact says are secret.
func secretFlags(base string) (url string, flags []string) {
	return base + "/?token=s3cretQ1", []string{
		"-q", "access_token=s3cretQ2",
		"-q", "pin=s3cretQ3",
		"-a", `{"token":"s3cretA1"}`,
		"-H", "Authorization: Bearer s3cretH1",
		"-H", "Cookie: sid=s3cretC1",
		"-H", "X-Custom: s3cretH2",
		"--redact", "pin", "--redact", "x-custom",
	}
}

// withoutFlag returns args without the flag name and its value.
func withoutFlag(args []string, name string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		if args[i] == name {
			i++
			continue
		}
		out = append(out, args[i])
	}
	return out
}

// secretProfile is a profile that puts a secret in each place a profile
// has for one.
func secretProfile(name, base, namespace string) string {
	p := fmt.Sprintf("[profiles.%s]\nurl = %q\nquery = [\"apikey=s3cretP2\", \"pin=s3cretP7\"]\nheaders = [\"X-Api-Key: s3cretP3\", \"Cookie: io=s3cretP4\", \"X-Custom: s3cretP6\"]\nredact = [\"pin\", \"X-Custom\"]\n",
		name, base+"/?sig=s3cretP1")
	if !strings.HasPrefix(name, "admin") {
		p += "auth = '{\"password\":\"s3cretP5\"}'\n"
	}
	if namespace != "" {
		p += fmt.Sprintf("namespace = %q\n", namespace)
	}
	return p + "\n"
}

// secretRun is one run of sio in a folder of its own, which is its
// working directory and holds its state (XDG_STATE_HOME): whatever it
// writes there is checked with what it prints.
type secretRun struct {
	args  []string
	stdin string
	env   []string
	files map[string]string // written in the folder before the run
	want  []int             // the exit codes it may end with
}

// startedRun is a secretRun under way.
type startedRun struct {
	secretRun
	dir string
	run *background
}

// start starts r, in a folder of its own, with the config folder given.
func (r secretRun) start(t *testing.T, configDir string) *startedRun {
	t.Helper()
	dir := t.TempDir()
	for name, text := range r.files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := append([]string{"XDG_CONFIG_HOME=" + configDir, "XDG_STATE_HOME=" + filepath.Join(dir, "state"), "NO_COLOR=1"}, r.env...)
	return &startedRun{secretRun: r, dir: dir, run: startSio(t, dir, env, r.stdin, r.args...)}
}

// check waits for the run and fails the test for each secret sio printed
// or wrote.
func (r *startedRun) check(t *testing.T) {
	t.Helper()
	res, _ := r.run.wait(t)
	if len(r.want) > 0 && !containsInt(r.want, res.code) {
		t.Errorf("sio %q: exit %d, want one of %v\nstdout:\n%s\nstderr:\n%s", r.args, res.code, r.want, res.stdout, res.stderr)
	}
	leaks := func(where, text string) {
		if found := secret.FindAllString(text, -1); found != nil {
			t.Errorf("sio %q printed %v in %s:\n%s", r.args, dedup(found), where, text)
		}
	}
	leaks("stdout", res.stdout)
	leaks("stderr", res.stderr)
	filepath.WalkDir(r.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if _, given := r.files[d.Name()]; given && filepath.Dir(path) == r.dir {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Error(err)
			return nil
		}
		leaks("the file "+strings.TrimPrefix(path, r.dir+"/"), string(data))
		return nil
	})
}

func containsInt(list []int, n int) bool {
	for _, x := range list {
		if x == n {
			return true
		}
	}
	return false
}

func dedup(list []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// TestNoSecretPrinted gives sio a secret in every place it takes one and
// runs every command that connects, against a server that lets it in, one
// that refuses its namespace, and a port that refuses the connection, in
// text and in JSON: no secret may appear in what it prints or writes
// unless --show-secrets.
func TestNoSecretPrinted(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testserver.Config{Version: "4"})
	admin := startAdminServer(t, "4", testserver.Admin{User: "admin", Password: "s3cretW1"})
	const down = "http://127.0.0.1:1"

	type target struct {
		name, base, namespace string
		want                  int // the exit code of a command that connects
	}
	targets := []target{
		{"ok", srv.URL(), "", 0},
		{"refused", srv.URL(), "/admin", 4},
		{"down", down, "", 3},
	}
	configDir := t.TempDir()
	var config strings.Builder
	for _, tg := range targets {
		config.WriteString(secretProfile(tg.name, tg.base, tg.namespace))
	}
	config.WriteString(secretProfile("admin", admin, ""))
	config.WriteString(secretProfile("admin-down", down, ""))
	if err := os.MkdirAll(filepath.Join(configDir, "sio"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(configDir, "sio", "config.toml"), []byte(config.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	// A script's own secrets: in its connect step, and in a line that
	// does not parse.
	const script = "connect --auth {\"token\":\"s3cretR1\"}\nemit --ack echo hi --expect [\"hi\"]\n"
	shell := "emit --ack echo hi\nns /other --auth {\"token\":\"s3cretS1\"}\nstatus\n!save saved.sio\nexit\n"

	// try starts r now and checks it in a parallel subtest: the runs
	// mostly wait, and start together.
	try := func(name string, r secretRun) {
		started := r.start(t, configDir)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			started.check(t)
		})
	}

	// with returns the command's arguments with the connection the
	// target and the source say: flags, or the profile of the target.
	with := func(tg target, fromProfile bool, before []string, after ...string) []string {
		if fromProfile {
			return append(append(append([]string(nil), before...), "@"+tg.name), after...)
		}
		u, flags := secretFlags(tg.base)
		args := append(append(append([]string(nil), before...), u), after...)
		if tg.namespace != "" {
			args = append(args, "-n", tg.namespace)
		}
		return append(args, flags...)
	}
	// Each source in text for one target and JSON for the next: every
	// command meets every target, source and format.
	formats := []string{"text", "json"}
	for i, tg := range targets {
		for j, source := range []string{"flags", "profile"} {
			fromProfile := source == "profile"
			format := formats[(i+j)%2]
			common := []string{"--trace", "--connect-timeout", "2s", "-o", format}
			runs := map[string]secretRun{
				"emit":   {args: append(with(tg, fromProfile, []string{"emit"}, "echo", "hi", "--ack"), common...), want: []int{tg.want}},
				"listen": {args: append(with(tg, fromProfile, []string{"listen"}, "--duration", "1s", "--record", "rec.ndjson"), common...), want: []int{tg.want}},
				"repl":   {args: append(with(tg, fromProfile, []string{"repl"}), common...), stdin: shell},
				"run": {args: append(with(tg, fromProfile, []string{"run", "script.sio"}), common...), files: map[string]string{"script.sio": script},
					want: []int{tg.want}},
				"doctor": {args: append(with(tg, fromProfile, []string{"doctor"}, "--heartbeat-wait", "0"), common...)},
			}
			for name, r := range runs {
				try(strings.Join([]string{name, tg.name, source, format}, "/"), r)
			}
		}
		try("profile-show/"+tg.name, secretRun{args: []string{"profile", "show", tg.name}, want: []int{0}})
	}

	// The shell in a terminal keeps a history file in its state folder
	// (XDG_STATE_HOME, which startTerm makes one of this test's
	// temporary folders): what it keeps holds no secret either. What is
	// typed is on the screen as it is typed; nothing else may be.
	t.Run("repl/terminal", func(t *testing.T) {
		t.Parallel()
		u, flags := secretFlags(srv.URL())
		tm := startTerm(t, append([]string{"repl", u, "--trace"}, flags...)...)
		m := tm.expect(0, "sio /> ")
		tm.typ("emit --ack echo hi\r")
		m = tm.expect(m, `ack of echo  "hi"`)
		tm.typ(`ns /admin --auth {"token":"s3cretS2"}` + "\r")
		m = tm.expect(m, "Not authorized")
		tm.typ("exit\r")
		select {
		case <-tm.exit():
		case <-time.After(10 * time.Second):
			t.Fatalf("sio did not exit:\n%s", tm.screen())
		}
		if found := secret.FindAllString(strings.ReplaceAll(tm.screen(), "s3cretS2", ""), -1); found != nil {
			t.Errorf("the shell printed %v:\n%s", dedup(found), tm.screen())
		}
		history := 0
		filepath.WalkDir(filepath.Dir(t.TempDir()), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			history++
			data, _ := os.ReadFile(path)
			if found := secret.FindAllString(string(data), -1); found != nil {
				t.Errorf("the shell wrote %v in %s:\n%s", dedup(found), path, data)
			}
			return nil
		})
		if history == 0 {
			t.Error("the shell wrote no history file")
		}
	})

	// Credentials that are not what they should be are refused without
	// being quoted: a helper's output, an --auth that is not an object.
	for name, args := range map[string][]string{
		"header-cmd": {"--header-cmd", "cat token"},
		"auth-cmd":   {"--auth-cmd", "cat token"},
		"auth":       {"-a", "@token"},
	} {
		try("emit/bad-"+name, secretRun{args: append([]string{"emit", srv.URL(), "echo", "--ack"}, args...), want: []int{1, 2},
			files: map[string]string{"token": "\"Bearer s3cretK1\"\n"}})
	}

	// A script that connects with a secret in its URL, and one whose line
	// holding secrets does not parse.
	try("run/connect-url", secretRun{args: []string{"run", "script.sio", "--trace", "--connect-timeout", "2s"}, want: []int{0},
		files: map[string]string{"script.sio": "connect " + srv.URL() + "/?token=s3cretR2 --auth {\"token\":\"s3cretR3\"}\nemit --ack echo hi\n"}})
	try("run/connect-url-down", secretRun{args: []string{"run", "script.sio", "--connect-timeout", "2s"}, want: []int{3},
		files: map[string]string{"script.sio": "connect " + down + "/?token=s3cretR2 --auth {\"token\":\"s3cretR3\"}\nemit --ack echo hi\n"}})
	try("run/syntax-error", secretRun{args: []string{"run", "script.sio", srv.URL()}, want: []int{2},
		files: map[string]string{"script.sio": "connect --auth {\"token\":\"s3cretR4\"} --frobnicate\n"}})

	// sio admin lists what the server saw of each socket's handshake: a
	// client connected with every secret is among them, and so is sio
	// admin's own connection, which carries them too.
	u, flags := secretFlags(admin)
	listener := sioStart(t, append([]string{"listen", u, "--duration", "60s", "-o", "json"}, flags...)...)
	listener.waitFor(t, `"type":"connect"`, 1)
	for _, c := range []struct {
		name     string
		base     string
		password string
		want     int
	}{
		{"ok", admin, "s3cretW1", 0},
		{"refused", admin, "s3cretW2", 4},
		{"down", down, "s3cretW1", 3},
	} {
		for _, fromProfile := range []bool{false, true} {
			for _, action := range []string{"sockets", "rooms"} {
				format := map[string]string{"sockets": "text", "rooms": "json"}[action]
				if fromProfile {
					format = map[string]string{"sockets": "json", "rooms": "text"}[action]
				}
				var args []string
				if fromProfile {
					p := "admin"
					if c.base == down {
						p = "admin-down"
					}
					args = []string{"admin", "@" + p, action}
				} else {
					// The credentials are -u's: -a would stand for them.
					u, flags := secretFlags(c.base)
					args = append([]string{"admin", u, action}, withoutFlag(flags, "-a")...)
				}
				args = append(args, "-u", "admin", "--trace", "--connect-timeout", "2s", "-o", format)
				name := fmt.Sprintf("admin/%s/%s/%v/%s", action, c.name, fromProfile, format)
				try(name, secretRun{args: args, env: []string{"SIO_ADMIN_PASSWORD=" + c.password}, want: []int{c.want}})
			}
		}
	}

	// The shell's admin lists the same, with the shell's --redact names.
	try("repl/admin-sockets", secretRun{args: append([]string{"repl", u, "-o", "json"}, flags...), env: []string{"SIO_ADMIN_PASSWORD=s3cretW1"},
		stdin: "admin -u admin sockets --of /\nexit\n", want: []int{0}})

	// The admin credentials as the whole auth payload.
	for _, c := range []struct {
		password string
		want     int
	}{{"s3cretW1", 0}, {"s3cretA4", 4}} {
		try("admin/auth/"+c.password, secretRun{args: []string{"admin", admin, "-a", `{"username":"admin","password":"` + c.password + `"}`, "--trace", "--redact", "pin", "--redact", "x-custom"}, want: []int{c.want}})
	}

	// --show-secrets shows them: the checks above would see a secret.
	t.Run("show-secrets", func(t *testing.T) {
		t.Parallel()
		u, flags := secretFlags(srv.URL())
		r := sio(t, "", append([]string{"emit", u, "echo", "hi", "--ack", "--trace", "--show-secrets"}, flags...)...)
		for _, s := range []string{"s3cretQ1", "s3cretQ2", "s3cretQ3", "s3cretA1", "s3cretH1", "s3cretH2", "s3cretC1"} {
			if !strings.Contains(r.stderr, s) {
				t.Errorf("--trace --show-secrets does not show %s:\n%s", s, r.stderr)
			}
		}
	})
}
