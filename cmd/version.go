package cmd

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X github.com/siocli/sio/cmd.version=v1.2.3".
var version = ""

// VersionOptions are the inputs of sio version.
type VersionOptions struct {
	IO *IOStreams
}

// NewVersionCmd returns the version command; runF replaces the real run in
// tests.
func NewVersionCmd(ios *IOStreams, runF func(*VersionOptions) error) *cobra.Command {
	opts := &VersionOptions{IO: ios}
	return &cobra.Command{
		Use:   "version",
		Short: "Print sio's version",
		Args:  checkArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return versionRun(opts)
		},
	}
}

func versionRun(opts *VersionOptions) error {
	_, err := fmt.Fprintln(opts.IO.Out, versionLine())
	return err
}

// versionLine is what sio version and sio --version print.
func versionLine() string {
	return fmt.Sprintf("sio %s (%s, %s/%s)", buildVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// buildVersion returns the version stamped at build time, else the module
// version the go command recorded (a tag, or a pseudo-version naming the
// commit), else the commit the build's VCS stamp names, else "dev" (a
// build with -buildvcs=false outside a module download).
func buildVersion() string {
	if version != "" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return "dev"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified == "true" {
		rev += "+dirty"
	}
	return "dev-" + rev
}
