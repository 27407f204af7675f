//go:build !unix

package cmd

// inForeground reports whether the process may read the terminal on
// standard input.
func inForeground() bool { return true }
