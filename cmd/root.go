// Package cmd holds sio's commands: each parses its flags into an options
// struct and calls a run function.
package cmd

import (
	"github.com/siocli/sio/internal/output"
	"github.com/siocli/sio/internal/profile"
	"maps"
	"net"
	"os"
	"regexp"
	"strings"

	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

// NewRootCmd returns the sio command with its subcommands.
func NewRootCmd(ios *IOStreams) *cobra.Command {
	root := &cobra.Command{
		Use:   "sio",
		Short: "The command line for Socket.IO",
		Long: `sio talks to Socket.IO servers of every version (2.x, 3.x, 4.x) over
long-polling and WebSocket. sio URL opens the interactive shell (sio repl).`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetIn(ios.In)
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usage(flagValueError(c, err))
	})
	root.AddCommand(NewVersionCmd(ios, nil))
	root.AddCommand(NewEmitCmd(ios, nil))
	root.AddCommand(NewListenCmd(ios, nil))
	root.AddCommand(NewReplCmd(ios, nil))
	root.AddCommand(NewRunCmd(ios, nil))
	root.AddCommand(NewServeCmd(ios, nil))
	root.AddCommand(NewDoctorCmd(ios, nil))
	root.AddCommand(NewConformCmd(ios, nil))
	root.AddCommand(NewBenchCmd(ios, nil))
	root.AddCommand(NewProfileCmd(ios))
	root.AddCommand(NewReplayCmd(ios, nil))
	root.AddCommand(NewAdminCmd(ios, nil))
	for _, c := range root.Commands() {
		switch c.Name() {
		case "emit", "listen", "repl", "doctor", "conform", "bench", "admin":
			c.Annotations = map[string]string{urlArg: "0"}
		case "run", "replay":
			c.Annotations = map[string]string{urlArg: "1"}
		}
	}
	root.Version = versionLine()
	root.SetVersionTemplate("{{.Version}}\n")
	root.Flags().BoolP("version", "V", false, "print sio's version")
	root.PersistentFlags().StringP("profile", "P", "", "use the saved target (profile) `NAME`; also SIO_PROFILE, or @NAME as the URL")
	root.PersistentPreRunE = applyProfile
	// sio URL is short for sio repl URL, with the same flags.
	shortcut := &ReplOptions{IO: ios}
	addReplFlags(root, shortcut)
	root.Use = "sio [URL]"
	root.Args = func(c *cobra.Command, args []string) error {
		if len(args) > 0 && !plausibleHost(args[0]) {
			return unknownCommand(c, args[0], fmt.Sprintf("; to open the shell on a host of that name, run: sio repl http://%s", args[0]))
		}
		return checkArgs(cobra.MaximumNArgs(1))(c, args)
	}
	root.InitDefaultCompletionCmd()
	refuseUnknownSubcommands(root)
	completeFlagValues(root)
	root.RunE = func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return c.Help()
		}
		shortcut.Conn.URL = args[0]
		if err := shortcut.Conn.check(); err != nil {
			return err
		}
		return replRun(shortcut)
	}
	return root
}

// flagChoices are the values of the flags that take one of a few, for
// completion, by command (the flags of every command under "").
var flagChoices = map[string]map[string][]string{
	"": {
		"transport": {"auto", "polling", "websocket"},
		"output":    {"auto", "text", "json"},
		"parser":    {"json", "msgpack"},
		"eio":       {"auto", "3", "4"},
		"tls-min":   {"1.2", "1.3"},
	},
	"serve":   {"eio": {"both", "4", "3"}, "conformance": {"socket.io", "engine.io"}},
	"conform": {"suite": {"engine.io", "socket.io"}},
}

// completeFlagValues has the shells complete the values of the flags in
// flagChoices, and profile names for -P, in c and every command below.
func completeFlagValues(c *cobra.Command) {
	register := func(name string, f func() []string) {
		if c.Flags().Lookup(name) == nil && c.PersistentFlags().Lookup(name) == nil {
			return
		}
		c.RegisterFlagCompletionFunc(name, func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return f(), cobra.ShellCompDirectiveNoFileComp
		})
	}
	choices := maps.Clone(flagChoices[""])
	maps.Copy(choices, flagChoices[c.Name()]) // a command's own win
	for name, values := range choices {
		register(name, func() []string { return values })
	}
	if c.Parent() == nil {
		register("profile", profileNames)
	}
	for _, sub := range c.Commands() {
		completeFlagValues(sub)
	}
}

// profileNames lists the saved profiles, for completion; none when the
// config file cannot be read.
func profileNames() []string {
	path, err := profile.DefaultPath()
	if err != nil {
		return nil
	}
	f, err := profile.Load(path)
	if err != nil {
		return nil
	}
	return f.Names()
}

// badFlagValue matches pflag's error for a value that does not parse:
// invalid argument "abc" for "-p, --port" flag: strconv.ParseInt: ...
var badFlagValue = regexp.MustCompile(`^invalid argument (".*") for "(?:-\w, )?--([\w-]+)" flag: `)

// flagValueError says what a flag wanted, in place of the Go parse error
// pflag gives for a value of the wrong type.
func flagValueError(c *cobra.Command, err error) error {
	m := badFlagValue.FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	f := c.Flags().Lookup(m[2])
	if f == nil {
		return err
	}
	want := map[string]string{
		"int": "a whole number", "int64": "a whole number", "uint16": "a port number",
		"float64": "a number", "bool": "true or false",
		"duration": "a duration such as 500ms, 5s or 1m30s",
	}[f.Value.Type()]
	if want == "" {
		return err
	}
	return fmt.Errorf("--%s %s: want %s", m[2], m[1], want)
}

// unknownCommand is the usage error for a word that names no subcommand
// of c, with the names it comes close to, else what else it might mean.
func unknownCommand(c *cobra.Command, word, otherwise string) error {
	c.SuggestionsMinimumDistance = 2
	if near := c.SuggestionsFor(word); len(near) > 0 {
		return usagef("unknown command %q for %q; did you mean %s?", word, c.CommandPath(), strings.Join(near, " or "))
	}
	return usagef("unknown command %q for %q%s", word, c.CommandPath(), otherwise)
}

// refuseUnknownSubcommands makes every command below c that only groups
// subcommands (sio profile, sio completion) refuse a word that names none
// of them, with exit 2, where cobra would print the help and exit 0.
func refuseUnknownSubcommands(c *cobra.Command) {
	for _, sub := range c.Commands() {
		if sub.HasSubCommands() && sub.Run == nil && sub.RunE == nil {
			sub.Args = func(c *cobra.Command, args []string) error {
				if len(args) > 0 {
					return unknownCommand(c, args[0], "")
				}
				return nil
			}
			sub.RunE = func(c *cobra.Command, args []string) error { return c.Help() }
		}
		refuseUnknownSubcommands(sub)
	}
}

// plausibleHost says whether a word sio was given alone can be a server to
// open the shell on, rather than a mistyped command: a URL, host:port, a
// name with a dot, an IP address, or localhost.
func plausibleHost(s string) bool {
	if strings.ContainsAny(s, ".:/[") || s == "localhost" {
		return true
	}
	return net.ParseIP(s) != nil
}

// Execute runs sio with the process's arguments and streams and returns the
// exit code.
func Execute() int {
	ios := System()
	root := NewRootCmd(ios)
	root.SetArgs(withProfileURL(ios, os.Args[1:]))
	cmd, err := root.ExecuteC()
	var quiet *quietError
	if err != nil && errors.As(err, &quiet) {
		return exitCode(err) // the causes were reported as they happened
	}
	if err != nil {
		fmt.Fprintf(ios.ErrOut, "sio: %s\n", output.Visible(describe(err)))
		if code := exitCode(err); code == ExitUsage {
			fmt.Fprintf(ios.ErrOut, "Run '%s --help' for usage.\n", cmd.CommandPath())
			return code
		}
	}
	return exitCode(err)
}
