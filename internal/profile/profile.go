// Package profile reads sio's saved targets: named sets of connection
// options in $XDG_CONFIG_HOME/sio/config.toml (else
// ~/.config/sio/config.toml), each key the name of the flag it stands for.
package profile

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/siocli/sio/internal/cliargs"
)

// Profile is one saved target. Every field is the flag of the same name;
// durations are written as flags take them ("5s").
type Profile struct {
	URL              string   `toml:"url"`
	Path             string   `toml:"path"`
	Namespace        string   `toml:"namespace"`
	Query            []string `toml:"query"`
	Headers          []string `toml:"headers"`
	Auth             string   `toml:"auth"`
	AuthCmd          string   `toml:"auth-cmd"`
	HeaderCmd        []string `toml:"header-cmd"`
	Transport        string   `toml:"transport"`
	EIO              string   `toml:"eio"`
	Parser           string   `toml:"parser"`
	Insecure         bool     `toml:"insecure"`
	CACert           string   `toml:"cacert"`
	Cert             string   `toml:"cert"`
	Key              string   `toml:"key"`
	PFX              string   `toml:"pfx"`
	ServerName       string   `toml:"servername"`
	Proxy            string   `toml:"proxy"`
	ConnectTimeout   string   `toml:"connect-timeout"`
	NoReconnect      bool     `toml:"no-reconnect"`
	WSProtocol       []string `toml:"ws-protocol"`
	NoTrailingSlash  bool     `toml:"no-trailing-slash"`
	OnConnect        []string `toml:"on-connect"`
	Redact           []string `toml:"redact"`
	ReconnectDelay   string   `toml:"reconnect-delay"`
	ReconnectDelayMx string   `toml:"reconnect-delay-max"`
}

// File is a config file.
type File struct {
	Path     string
	Profiles map[string]Profile `toml:"profiles"`
}

// DefaultPath is where the config file is looked for.
func DefaultPath() (string, error) {
	if dir := os.Getenv("XDG_CONFIG_HOME"); dir != "" {
		return filepath.Join(dir, "sio", "config.toml"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no config folder: set XDG_CONFIG_HOME or HOME (%v)", err)
	}
	return filepath.Join(home, ".config", "sio", "config.toml"), nil
}

// Load reads the config file at path; a missing file has no profiles. A
// malformed one is an error naming the file, the line and the key.
func Load(path string) (*File, error) {
	f := &File{Path: path, Profiles: map[string]Profile{}}
	data, err := cliargs.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return nil, err
	}
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(f); err != nil {
		return nil, describe(path, err)
	}
	f.Path = path
	if f.Profiles == nil {
		f.Profiles = map[string]Profile{}
	}
	return f, nil
}

// describe turns a decoding error into one line naming the file, the line
// and the key.
func describe(path string, err error) error {
	var se *toml.StrictMissingError
	if errors.As(err, &se) && len(se.Errors) > 0 {
		e := se.Errors[0]
		row, _ := e.Position()
		return fmt.Errorf("%s:%d: unknown key %s (profile keys are the connection flags' names: url, path, namespace, query, headers, auth, auth-cmd, transport, ...)", path, row, strings.Join(e.Key(), "."))
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, _ := de.Position()
		key := strings.Join(de.Key(), ".")
		if key != "" {
			return fmt.Errorf("%s:%d: %s: %v", path, row, key, de.Error())
		}
		return fmt.Errorf("%s:%d: %v", path, row, de.Error())
	}
	return fmt.Errorf("%s: %v", path, err)
}

// Get returns the named profile.
func (f *File) Get(name string) (Profile, error) {
	p, ok := f.Profiles[name]
	if !ok {
		names := f.Names()
		if len(names) == 0 {
			return p, fmt.Errorf("no profile %q: %s has none (sio profile add %s URL [options] writes one)", name, f.Path, name)
		}
		return p, fmt.Errorf("no profile %q in %s; there are %s", name, f.Path, strings.Join(names, ", "))
	}
	return p, nil
}

// Names lists the profiles, sorted.
func (f *File) Names() []string {
	var out []string
	for n := range f.Profiles {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Setting is one flag a profile sets, with its values (several for a
// repeatable flag).
type Setting struct {
	Flag   string
	Values []string
}

// Settings lists what p sets, flag by flag, in a fixed order, with
// ${ENV:NAME} replaced by the environment variable (unset is an error).
func (p Profile) Settings() ([]Setting, error) { return p.settings(true) }

// Raw lists what p sets as written, ${ENV:NAME} left in.
func (p Profile) Raw() []Setting {
	s, _ := p.settings(false)
	return s
}

func (p Profile) settings(expand bool) ([]Setting, error) {
	var out []Setting
	var bad error
	add := func(flag string, vs ...string) {
		var kept []string
		for _, v := range vs {
			if v == "" {
				continue
			}
			x := v
			if expand {
				var err error
				if x, err = expandEnv(v); err != nil && bad == nil {
					bad = fmt.Errorf("%s: %v", KeyOf(flag), err)
				}
			}
			kept = append(kept, x)
		}
		if len(kept) > 0 {
			out = append(out, Setting{flag, kept})
		}
	}
	flag := func(name string, on bool) {
		if on {
			out = append(out, Setting{name, []string{"true"}})
		}
	}
	add("path", p.Path)
	add("namespace", p.Namespace)
	add("query", p.Query...)
	add("header", p.Headers...)
	add("auth", p.Auth)
	add("auth-cmd", p.AuthCmd)
	add("header-cmd", p.HeaderCmd...)
	add("transport", p.Transport)
	add("eio", p.EIO)
	add("parser", p.Parser)
	flag("insecure", p.Insecure)
	add("cacert", p.CACert)
	add("cert", p.Cert)
	add("key", p.Key)
	add("pfx", p.PFX)
	add("servername", p.ServerName)
	add("proxy", p.Proxy)
	add("connect-timeout", p.ConnectTimeout)
	flag("no-reconnect", p.NoReconnect)
	add("reconnect-delay", p.ReconnectDelay)
	add("reconnect-delay-max", p.ReconnectDelayMx)
	add("ws-protocol", p.WSProtocol...)
	flag("no-trailing-slash", p.NoTrailingSlash)
	add("on-connect", p.OnConnect...)
	add("redact", p.Redact...)
	return out, bad
}

// ExpandURL returns the profile's URL with ${ENV:NAME} replaced.
func (p Profile) ExpandURL() (string, error) {
	u, err := expandEnv(p.URL)
	if err != nil {
		return "", fmt.Errorf("url: %v", err)
	}
	return u, nil
}

// expandEnv replaces each ${ENV:NAME} by the environment variable.
func expandEnv(s string) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${ENV:")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return "", fmt.Errorf("unclosed ${ENV: in %q", s)
		}
		name := s[i+len("${ENV:") : i+j]
		v, ok := os.LookupEnv(name)
		if !ok {
			return "", fmt.Errorf("environment variable %s is not set", name)
		}
		b.WriteString(s[:i])
		b.WriteString(v)
		s = s[i+j+1:]
	}
}

// Keys maps each flag a profile can hold to its key in the file.
var Keys = map[string]string{}

func init() {
	for _, s := range (Profile{URL: "x", Path: "x", Namespace: "x", Query: []string{"x"}, Headers: []string{"x"}, Auth: "x",
		AuthCmd: "x", HeaderCmd: []string{"x"}, Transport: "x", EIO: "x", Parser: "x", Insecure: true, CACert: "x", Cert: "x",
		Key: "x", PFX: "x", ServerName: "x", Proxy: "x", ConnectTimeout: "x", NoReconnect: true, WSProtocol: []string{"x"},
		NoTrailingSlash: true, OnConnect: []string{"x"}, Redact: []string{"x"}, ReconnectDelay: "x", ReconnectDelayMx: "x"}).Raw() {
		Keys[s.Flag] = KeyOf(s.Flag)
	}
}

// Append writes a new profile at the end of the file at path (made, mode
// 0600, when missing), leaving what is there, comments included, as it
// was. settings are flag names and values, as Raw gives them.
func Append(path, name, url string, settings []Setting) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n[profiles.%s]\n", quoteKey(name))
	str := func(v string) string {
		out, _ := toml.Marshal(map[string]string{"v": v})
		return strings.TrimSpace(strings.TrimPrefix(string(out), "v = "))
	}
	fmt.Fprintf(&b, "url = %s\n", str(url))
	for _, s := range settings {
		key, ok := Keys[s.Flag]
		if !ok {
			return fmt.Errorf("a profile cannot hold --%s", s.Flag)
		}
		switch {
		case IsList(key):
			var vs []string
			for _, v := range s.Values {
				vs = append(vs, str(v))
			}
			fmt.Fprintf(&b, "%s = [%s]\n", key, strings.Join(vs, ", "))
		case key == "insecure" || key == "no-reconnect" || key == "no-trailing-slash":
			fmt.Fprintf(&b, "%s = %s\n", key, s.Values[len(s.Values)-1])
		default:
			fmt.Fprintf(&b, "%s = %s\n", key, str(s.Values[len(s.Values)-1]))
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// quoteKey quotes a profile name that is not a bare TOML key.
func quoteKey(name string) string {
	for _, r := range name {
		if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			out, _ := toml.Marshal(map[string]string{"v": name})
			return strings.TrimSpace(strings.TrimPrefix(string(out), "v = "))
		}
	}
	return name
}

// KeyOf is the key in the file of a flag a profile holds: its name, but
// headers for --header.
func KeyOf(flag string) string {
	if flag == "header" {
		return "headers"
	}
	return flag
}

// IsList says whether a key holds a list of values.
func IsList(key string) bool {
	switch key {
	case "query", "headers", "header-cmd", "ws-protocol", "on-connect", "redact":
		return true
	}
	return false
}
