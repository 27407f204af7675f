// Package cmd holds sio's commands: each parses its flags into an options
// struct and calls a run function.
package cmd

import (
	"fmt"

	"github.com/spf13/cobra"
)

// NewRootCmd returns the sio command with its subcommands.
func NewRootCmd(ios *IOStreams) *cobra.Command {
	root := &cobra.Command{
		Use:           "sio",
		Short:         "The command line for Socket.IO",
		Long:          "sio talks to Socket.IO servers of every version (2.x, 3.x, 4.x) over long-polling and WebSocket.",
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetIn(ios.In)
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &usageError{err}
	})
	root.AddCommand(NewVersionCmd(ios, nil))
	root.AddCommand(NewEmitCmd(ios, nil))
	root.AddCommand(NewListenCmd(ios, nil))
	return root
}

// Execute runs sio with the process's arguments and streams and returns the
// exit code.
func Execute() int {
	ios := System()
	root := NewRootCmd(ios)
	cmd, err := root.ExecuteC()
	if err != nil {
		fmt.Fprintf(ios.ErrOut, "sio: %s\n", describe(err))
		if code := exitCode(err); code == ExitUsage {
			fmt.Fprintf(ios.ErrOut, "Run '%s --help' for usage.\n", cmd.CommandPath())
			return code
		}
	}
	return exitCode(err)
}
