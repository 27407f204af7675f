// Command gendocs writes sio's man pages, made from the commands'
// definitions, into a folder (scripts/gen-man.sh writes docs/man).
//
//	go run ./internal/gendocs DIR
package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/siocli/sio/cmd"
)

// manDate is the date the pages carry, fixed so that generating them
// again gives the same files.
var manDate = time.Date(2026, time.December, 1, 0, 0, 0, 0, time.UTC)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gendocs DIR")
		os.Exit(2)
	}
	if err := writeManPages(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

// writeManPages writes a page for sio and for each of its commands into
// dir, which it creates.
func writeManPages(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	ios := &cmd.IOStreams{In: strings.NewReader(""), Out: os.Stdout, ErrOut: os.Stderr}
	root := cmd.NewRootCmd(ios)
	root.DisableAutoGenTag = true
	hideHelp(root)
	header := &doc.GenManHeader{Title: "SIO", Section: "1", Source: "sio", Manual: "sio manual", Date: &manDate}
	return doc.GenManTree(root, header, dir)
}

// hideHelp leaves cobra's help command out of the pages.
func hideHelp(c *cobra.Command) {
	c.InitDefaultHelpCmd()
	for _, sub := range c.Commands() {
		if sub.Name() == "help" {
			sub.Hidden = true
		}
		sub.DisableAutoGenTag = true
	}
}
