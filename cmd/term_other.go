//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package cmd

import (
	"errors"
	"os"
)

func rawInput(*os.File) (func(), error) { return nil, errors.New("no raw terminal here") }

func readKeys(*os.File) (<-chan byte, func()) { return nil, func() {} }

func termSize(*os.File) (int, int) { return 0, 0 }

func notifyResize(chan<- os.Signal) {}
