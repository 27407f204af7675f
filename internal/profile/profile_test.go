package profile

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestAppendLoad writes profiles with values that need quoting and reads
// them back the same, the file's comments kept.
func TestAppendLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sio", "config.toml")
	os.MkdirAll(filepath.Dir(path), 0o700)
	os.WriteFile(path, []byte("# my targets\n"), 0o600)
	want := []Setting{
		{"auth", []string{`{"token": "a\"b\\c"}`}},
		{"header", []string{"X-A: 1", "X-B: 'two'"}},
		{"insecure", []string{"true"}},
		{"on-connect", []string{`emit join "room 1"`}},
	}
	if err := Append(path, "stage 2", "https://x.example/ns?q=1", want); err != nil {
		t.Fatal(err)
	}
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.Get("stage 2")
	if err != nil {
		t.Fatal(err)
	}
	got := p.Raw()
	sortBy := func(s []Setting) map[string][]string {
		m := map[string][]string{}
		for _, x := range s {
			m[x.Flag] = x.Values
		}
		return m
	}
	if p.URL != "https://x.example/ns?q=1" || !reflect.DeepEqual(sortBy(got), sortBy(want)) {
		t.Errorf("read back %q %v; want %v", p.URL, got, want)
	}
	data, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(data), "# my targets\n") {
		t.Errorf("the comment is gone:\n%s", data)
	}
}

// TestExpandEnv replaces ${ENV:NAME} and names a variable that is unset.
func TestExpandEnv(t *testing.T) {
	t.Setenv("SIO_TEST_TOKEN", "t0k")
	p := Profile{Headers: []string{"Authorization: Bearer ${ENV:SIO_TEST_TOKEN}"}, Path: "/${ENV:SIO_TEST_UNSET}"}
	_, err := p.Settings()
	if err == nil || err.Error() != "path: environment variable SIO_TEST_UNSET is not set" {
		t.Errorf("unset: %v", err)
	}
	p.Path = ""
	s, err := p.Settings()
	if err != nil || len(s) != 1 || s[0].Values[0] != "Authorization: Bearer t0k" {
		t.Errorf("%v %v", s, err)
	}
}
