//go:build linux || darwin || freebsd || netbsd || openbsd

package cmd

import (
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// rawInput makes the terminal f hand over each key as it is pressed,
// without echo; restore undoes it.
func rawInput(f *os.File) (restore func(), err error) {
	fd := int(f.Fd())
	old, err := unix.IoctlGetTermios(fd, ioctlGetTermios)
	if err != nil {
		return nil, err
	}
	raw := *old
	raw.Lflag &^= unix.ECHO | unix.ICANON
	raw.Cc[unix.VMIN] = 0
	raw.Cc[unix.VTIME] = 1 // reads return every 100 ms, so the reader can stop
	if err := unix.IoctlSetTermios(fd, ioctlSetTermios, &raw); err != nil {
		return nil, err
	}
	return func() { unix.IoctlSetTermios(fd, ioctlSetTermios, old) }, nil
}

// readKeys reads keys from the raw terminal f until stop is called.
func readKeys(f *os.File) (keys <-chan byte, stop func()) {
	ch := make(chan byte, 16)
	var done atomic.Bool
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		b := make([]byte, 16)
		for !done.Load() {
			n, err := f.Read(b)
			for _, c := range b[:n] {
				select {
				case ch <- c:
				default:
				}
			}
			// With VMIN 0 a read that times out returns nothing, which Go
			// reports as io.EOF: that is no key yet, not the end.
			if err != nil && err != io.EOF {
				return
			}
		}
	}()
	return ch, func() {
		done.Store(true)
		<-finished
	}
}

// termSize is the terminal's width and height, 0 when unknown.
func termSize(f *os.File) (int, int) {
	ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ)
	if err != nil {
		return 0, 0
	}
	return int(ws.Col), int(ws.Row)
}

// notifyResize sends on c when the terminal is resized.
func notifyResize(c chan<- os.Signal) { signal.Notify(c, syscall.SIGWINCH) }
