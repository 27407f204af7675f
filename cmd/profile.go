package cmd

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/siocli/sio/internal/output"
	"github.com/siocli/sio/internal/profile"
	"github.com/siocli/sio/pkg/engineio"
)

// urlArg is the annotation that says which positional argument of a
// command is the server's URL, so that a profile can stand for it.
const urlArg = "sio-url-arg"

// profileEnv names the profile to use when -P is not given.
const profileEnv = "SIO_PROFILE"

// withProfileURL rewrites the arguments of a run given -P NAME (or
// SIO_PROFILE) whose command takes a URL and was given none: @NAME goes
// in the URL's place, for applyProfile to fill in. A first argument that
// is a URL (with a scheme, host:port, localhost, an IP, or @NAME) is left
// as given.
func withProfileURL(ios *IOStreams, argv []string) []string {
	name := profileName(argv)
	if name == "" {
		return argv
	}
	probe := NewRootCmd(&IOStreams{In: strings.NewReader(""), Out: nopWriter{}, ErrOut: nopWriter{}})
	c, rest, err := probe.Find(argv)
	if err != nil {
		return argv
	}
	if _, ok := c.Annotations[urlArg]; !ok && c != probe {
		return argv
	}
	if c.ParseFlags(rest) != nil {
		return argv
	}
	if pos := c.Flags().Args(); len(pos) > 0 && looksLikeURL(pos[0]) {
		return argv
	}
	at := 0
	if c != probe {
		for i, a := range argv {
			if a == c.Name() || c.HasAlias(a) {
				at = i + 1
				break
			}
		}
	}
	out := append([]string(nil), argv[:at]...)
	out = append(out, "@"+name)
	return append(out, argv[at:]...)
}

// profileName finds -P NAME, --profile NAME or --profile=NAME in argv,
// else SIO_PROFILE.
func profileName(argv []string) string {
	for i, a := range argv {
		switch {
		case a == "--":
			return os.Getenv(profileEnv)
		case (a == "-P" || a == "--profile") && i+1 < len(argv):
			return argv[i+1]
		case strings.HasPrefix(a, "--profile="):
			return strings.TrimPrefix(a, "--profile=")
		case strings.HasPrefix(a, "-P") && len(a) > 2:
			return a[2:]
		}
	}
	return os.Getenv(profileEnv)
}

// looksLikeURL says whether a first argument is a server rather than, with
// a profile, the first of the command's other arguments.
func looksLikeURL(s string) bool {
	if strings.HasPrefix(s, "@") || strings.Contains(s, "://") || s == "localhost" {
		return true
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return net.ParseIP(s) != nil
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return false
	}
	return host == "localhost" || net.ParseIP(host) != nil || strings.Contains(host, ".")
}

type nopWriter struct{}

func (nopWriter) Write(p []byte) (int, error) { return len(p), nil }

// applyProfile fills in a command's flags from the profile that -P,
// SIO_PROFILE or an @NAME URL names: the flags given on the command line
// win, and @NAME becomes the profile's URL.
func applyProfile(c *cobra.Command, args []string) error {
	idx, ok := c.Annotations[urlArg]
	if !ok && c.Root() != c {
		return nil
	}
	i, _ := strconv.Atoi(idx)
	name, _ := c.Flags().GetString("profile")
	if name == "" {
		name = os.Getenv(profileEnv)
	}
	fromArg := ""
	if i < len(args) && strings.HasPrefix(args[i], "@") {
		fromArg = args[i][1:]
		if name != "" && fromArg != name && c.Flags().Changed("profile") {
			return usagef("-P %s and @%s name different profiles; give one", name, fromArg)
		}
		name = fromArg
	}
	if name == "" {
		return nil
	}
	path, err := profile.DefaultPath()
	if err != nil {
		return usage(err)
	}
	f, err := profile.Load(path)
	if err != nil {
		return usage(err)
	}
	p, err := f.Get(name)
	if err != nil {
		return usage(err)
	}
	settings, err := p.Settings()
	if err != nil {
		return usagef("profile %s: %v", name, err)
	}
	for _, s := range settings {
		fl := c.Flags().Lookup(s.Flag)
		if fl == nil || fl.Changed {
			continue // not this command's, or given on the command line
		}
		if err := setFlag(c.Flags(), fl, s.Values); err != nil {
			return usagef("profile %s, %s: %v", name, s.Flag, err)
		}
	}
	if fromArg != "" {
		u, err := p.ExpandURL()
		if err != nil {
			return usagef("profile %s: %v", name, err)
		}
		if u == "" {
			return usagef("profile %s has no url", name)
		}
		args[i] = u
	}
	return nil
}

// setFlag sets a flag from a profile, as if given; a flag that is not
// repeatable takes the last value.
func setFlag(fs *pflag.FlagSet, fl *pflag.Flag, values []string) error {
	if strings.HasSuffix(fl.Value.Type(), "Array") || strings.HasSuffix(fl.Value.Type(), "Slice") {
		for _, v := range values {
			if err := fs.Set(fl.Name, v); err != nil {
				return err
			}
		}
		return nil
	}
	return fs.Set(fl.Name, values[len(values)-1])
}

// NewProfileCmd returns sio profile.
func NewProfileCmd(ios *IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "profile",
		Short: "List, show and save named targets (profiles)",
		Long: `Profiles are named sets of connection options kept in
$XDG_CONFIG_HOME/sio/config.toml (else ~/.config/sio/config.toml). Use one
with -P NAME (or SIO_PROFILE=NAME), or give @NAME as the URL; flags given
on the command line win. Each key is a flag's name (headers for -H);
${ENV:NAME} in a value is an environment variable.`,
		Example: `  sio profile add staging https://staging.example.com -n /admin -H 'X-Api-Key: ${ENV:STAGING_KEY}'
  sio profile list
  sio profile show staging
  sio -P staging listen
  sio emit @staging ping --ack`,
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List the profiles and their URLs",
		Args:  checkArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error {
			f, err := loadProfiles()
			if err != nil {
				return err
			}
			for _, n := range f.Names() {
				fmt.Fprintf(ios.Out, "%s\t%s\n", n, output.Visible(engineio.RedactURL(f.Profiles[n].URL, f.Profiles[n].Redact...)))
			}
			return nil
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "show NAME",
		Short: "Show a profile, secrets redacted",
		Args:  checkArgs(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			f, err := loadProfiles()
			if err != nil {
				return err
			}
			p, err := f.Get(args[0])
			if err != nil {
				return usage(err)
			}
			fmt.Fprintf(ios.Out, "[profiles.%s]\n", args[0])
			if p.URL != "" {
				fmt.Fprintf(ios.Out, "url = %q\n", engineio.RedactURL(p.URL, p.Redact...))
			}
			for _, s := range p.Raw() {
				var vs []string
				for _, v := range s.Values {
					vs = append(vs, strconv.Quote(output.Visible(redactSetting(s.Flag, v, p.Redact))))
				}
				if key := profile.KeyOf(s.Flag); profile.IsList(key) {
					fmt.Fprintf(ios.Out, "%s = [%s]\n", key, strings.Join(vs, ", "))
				} else if s.Values[0] == "true" && (key == "insecure" || key == "no-reconnect" || key == "no-trailing-slash") {
					fmt.Fprintf(ios.Out, "%s = true\n", key)
				} else {
					fmt.Fprintf(ios.Out, "%s = %s\n", key, vs[0])
				}
			}
			return nil
		},
	})
	add := &ConnOptions{}
	addCmd := &cobra.Command{
		Use:   "add NAME URL [options]",
		Short: "Save the URL and the connection options given as a profile",
		Args:  checkArgs(cobra.ExactArgs(2)),
		RunE: func(c *cobra.Command, args []string) error {
			return addProfile(ios, c.Flags(), args[0], args[1])
		},
	}
	addConnFlags(addCmd.Flags(), add, true)
	addCmd.Flags().StringArray("on-connect", nil, "emit `'EVENT [ARG...]'` after each connect (listen)")
	cmd.AddCommand(addCmd)
	return cmd
}

func loadProfiles() (*profile.File, error) {
	path, err := profile.DefaultPath()
	if err != nil {
		return nil, usage(err)
	}
	f, err := profile.Load(path)
	if err != nil {
		return nil, usage(err)
	}
	return f, nil
}

// redactSetting hides the secrets of a setting as sio shows it: auth
// values, credential headers and credential-named query values, and
// those the profile's redact names.
func redactSetting(flag, v string, extra []string) string {
	switch flag {
	case "auth":
		if strings.HasPrefix(v, "@") {
			return v
		}
		return "[redacted]"
	case "header":
		name, val, _ := strings.Cut(v, ":")
		if engineio.IsSecretName(strings.TrimSpace(name), extra...) && !onlyFromEnv(val) {
			return strings.TrimSpace(name) + ": [redacted]"
		}
	case "query":
		name, val, _ := strings.Cut(v, "=")
		if engineio.IsSecretName(name, extra...) && !onlyFromEnv(val) {
			return name + "=[redacted]"
		}
	}
	return v
}

// addProfile writes the profile NAME with url and the connection flags
// given, refusing a name already taken or a file that does not parse.
func addProfile(ios *IOStreams, fs *pflag.FlagSet, name, url string) error {
	if name == "" || strings.ContainsAny(name, "\n\r") {
		return usagef("%q is not a profile name", name)
	}
	if _, _, err := parseServerURL(url); err != nil && !strings.Contains(url, "${ENV:") {
		return usage(err)
	}
	f, err := loadProfiles()
	if err != nil {
		return err
	}
	if _, ok := f.Profiles[name]; ok {
		return usagef("%s already has a profile %s; edit the file to change it", f.Path, name)
	}
	var settings []profile.Setting
	var bad error
	fs.Visit(func(fl *pflag.Flag) {
		if _, ok := profile.Keys[fl.Name]; !ok {
			if bad == nil {
				bad = usagef("a profile cannot hold --%s", fl.Name)
			}
			return
		}
		vals := []string{fl.Value.String()}
		if sv, ok := fl.Value.(pflag.SliceValue); ok {
			vals = sv.GetSlice()
		}
		settings = append(settings, profile.Setting{Flag: fl.Name, Values: vals})
	})
	if bad != nil {
		return bad
	}
	if err := profile.Append(f.Path, name, url, settings); err != nil {
		return fmt.Errorf("writing %s: %v", f.Path, err)
	}
	if _, err := profile.Load(f.Path); err != nil {
		return fmt.Errorf("%s no longer parses after the profile was added: %v", f.Path, err)
	}
	fmt.Fprintf(ios.ErrOut, "sio: profile %s written to %s\n", name, f.Path)
	return nil
}

// onlyFromEnv says whether a value's secret comes from the environment:
// it names a variable and holds no word long enough to be a secret
// itself ("Bearer ${ENV:TOKEN}").
func onlyFromEnv(v string) bool {
	if !strings.Contains(v, "${ENV:") {
		return false
	}
	for _, w := range strings.Fields(v) {
		if !strings.HasPrefix(w, "${ENV:") && len(w) > 8 {
			return false
		}
	}
	return true
}
