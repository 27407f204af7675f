//go:build unix

package repl

import "syscall"

// noFollow makes an open refuse a symbolic link in place of the file.
const noFollow = syscall.O_NOFOLLOW
