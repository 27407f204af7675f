//go:build !unix

package repl

// noFollow is nothing here: the Lstat before the open checks for links.
const noFollow = 0
