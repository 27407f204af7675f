package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/siocli/sio/internal/testserver"
)

// sioIn runs sio with extra environment variables.
func sioIn(t *testing.T, env []string, args ...string) result {
	t.Helper()
	return sioWith(t, env, "", args...)
}

// TestProfiles saves a target with sio profile add, lists and shows it
// with its secrets redacted, and uses it by -P, @NAME and SIO_PROFILE,
// flags given on the command line winning.
func TestProfiles(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Config{Version: "4"})
	dir := t.TempDir()
	env := []string{"XDG_CONFIG_HOME=" + dir, "SIO_PROFILE=", "STAGING_KEY=k-from-env"}
	r := sioIn(t, env, "profile", "add", "staging", s.URL(), "-H", "X-Api-Key: ${ENV:STAGING_KEY}", "-H", "Authorization: Bearer s3cret-token",
		"-q", "token=abc", "-a", `{"token":"s3cret"}`, "--transport", "polling", "--on-connect", "emit ask 1")
	if r.code != 0 {
		t.Fatalf("add: exit %d, %s", r.code, r.stderr)
	}
	file := filepath.Join(dir, "sio", "config.toml")
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("the config file: %v %v", st, err)
	}
	if r := sioIn(t, env, "profile", "add", "staging", s.URL()); r.code != 2 || !strings.Contains(r.stderr, "already has a profile staging") {
		t.Errorf("add again: exit %d, %s", r.code, r.stderr)
	}
	if r := sioIn(t, env, "profile", "list"); r.code != 0 || r.stdout != "staging\t"+s.URL()+"\n" {
		t.Errorf("list: exit %d, %q", r.code, r.stdout)
	}
	r = sioIn(t, env, "profile", "show", "staging")
	for _, want := range []string{`headers = ["X-Api-Key: ${ENV:STAGING_KEY}", "Authorization: [redacted]"]`, `query = ["token=[redacted]"]`, `auth = "[redacted]"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("show lacks %s:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "s3cret") || strings.Contains(r.stdout, "abc") {
		t.Errorf("show shows a secret:\n%s", r.stdout)
	}

	// -P: the URL comes from the profile, the other arguments stay.
	for _, args := range [][]string{
		{"-P", "staging", "emit", "handshake", "--ack", "-o", "json"},
		{"emit", "@staging", "handshake", "--ack", "-o", "json"},
	} {
		r = sioIn(t, env, args...)
		if r.code != 0 || !strings.Contains(r.stdout, `"x-api-key":"k-from-env"`) || !strings.Contains(r.stdout, `"authorization":"Bearer s3cret-token"`) ||
			!strings.Contains(r.stdout, "token=abc") || !strings.Contains(r.stdout, `"transport":"polling"`) || !strings.Contains(r.stdout, `"auth":{"token":"s3cret"}`) {
			t.Errorf("%v: exit %d, %s %s", args, r.code, r.stdout, r.stderr)
		}
	}
	// A flag given wins over the profile's.
	r = sioIn(t, env, "emit", "@staging", "handshake", "--ack", "-o", "json", "--transport", "websocket")
	if r.code != 0 || !strings.Contains(r.stdout, `"transport":"websocket"`) {
		t.Errorf("--transport over the profile's: exit %d, %s %s", r.code, r.stdout, r.stderr)
	}
	// SIO_PROFILE, for listen, with the profile's on-connect.
	r = sioIn(t, append(env, "SIO_PROFILE=staging"), "listen", "--duration", "1500ms", "-o", "json", "--reply", "question=1")
	if r.code != 0 || !strings.Contains(r.stdout, `"type":"reply","ns":"/","event":"question"`) {
		t.Errorf("SIO_PROFILE listen: exit %d, %s %s", r.code, r.stdout, r.stderr)
	}
	// An unset variable, an unknown profile, a malformed file: named.
	if r := sioIn(t, []string{"XDG_CONFIG_HOME=" + dir, "SIO_PROFILE="}, "emit", "@staging", "x"); r.code != 2 || !strings.Contains(r.stderr, "profile staging: headers: environment variable STAGING_KEY is not set") {
		t.Errorf("unset variable: exit %d, %s", r.code, r.stderr)
	}
	if r := sioIn(t, env, "-P", "prod", "emit", "x"); r.code != 2 || !strings.Contains(r.stderr, `no profile "prod" in `+file+"; there are staging") {
		t.Errorf("unknown profile: exit %d, %s", r.code, r.stderr)
	}
	f, _ := os.OpenFile(file, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("\n[profiles.bad]\nurl = \"x\"\nheaderz = [\"a\"]\n")
	f.Close()
	if r := sioIn(t, env, "emit", "@staging", "x"); r.code != 2 || !strings.Contains(r.stderr, file+":") || !strings.Contains(r.stderr, "unknown key profiles.bad.headerz") {
		t.Errorf("malformed: exit %d, %s", r.code, r.stderr)
	}
}
