//go:build unix

package repl

import (
	"os"
	"os/signal"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// ttyModes sets the modes of the terminal on stdin, the one readline
// puts in raw mode while it reads a line.
//
// Between lines, while a command runs, readline would leave the terminal
// as it found it, editing lines itself (ICANON): a Ctrl-D typed then is
// taken as the end of a line and kept as a NUL, which is what readline
// reads at the next prompt in place of Ctrl-D; and text typed ahead is
// echoed twice, by the terminal and again by readline. So between lines
// the terminal is kept raw as well, with no echo, except that Ctrl-C
// still sends SIGINT (ISIG), which cancels the command. Output processing
// (OPOST) stays on in both modes, as readline leaves it.
//
// A shell that stops sio (Ctrl-Z) sets the terminal's modes as it likes
// them; when sio goes on in the foreground, the mode it was in is set
// again.
//
// All methods are safe for concurrent use. After restore, which puts
// back the modes found at the start, the others do nothing.
type ttyModes struct {
	mu        sync.Mutex
	fd        int
	orig, raw unix.Termios
	between   unix.Termios
	cur       *unix.Termios // the mode set last; nil: none yet
	restored  bool
	cont      chan os.Signal
}

// newTTYModes returns nil when stdin is not a terminal.
func newTTYModes() *ttyModes {
	fd := syscall.Stdin
	orig, err := unix.IoctlGetTermios(fd, ioctlGetTermios)
	if err != nil {
		return nil
	}
	m := &ttyModes{fd: fd, orig: *orig, raw: *orig}
	// readline's raw mode
	m.raw.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	m.raw.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	m.raw.Cflag &^= unix.CSIZE | unix.PARENB
	m.raw.Cflag |= unix.CS8
	m.raw.Cc[unix.VMIN], m.raw.Cc[unix.VTIME] = 1, 0
	m.between = m.raw
	m.between.Lflag |= unix.ISIG
	m.cont = make(chan os.Signal, 1)
	signal.Notify(m.cont, syscall.SIGCONT)
	go m.resume()
	return m
}

// resume sets the current mode again each time sio goes on after a stop,
// in the foreground (fg): from the background (bg) that would stop it
// again at once (SIGTTOU).
func (m *ttyModes) resume() {
	for range m.cont {
		fg, err := unix.IoctlGetInt(m.fd, unix.TIOCGPGRP)
		own, err2 := unix.Getpgid(0)
		if err != nil || err2 != nil || fg != own {
			continue
		}
		m.mu.Lock()
		if m.cur != nil && !m.restored {
			unix.IoctlSetTermios(m.fd, ioctlSetTermios, m.cur)
		}
		m.mu.Unlock()
	}
}

// makeRaw is readline's raw mode, for reading a line.
func (m *ttyModes) makeRaw() error { return m.set(&m.raw) }

// betweenLines is the mode while no line is read.
func (m *ttyModes) betweenLines() error { return m.set(&m.between) }

// restore puts back the modes found at the start.
func (m *ttyModes) restore() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.restored {
		return nil
	}
	m.restored = true
	signal.Stop(m.cont)
	close(m.cont)
	return unix.IoctlSetTermios(m.fd, ioctlSetTermios, &m.orig)
}

func (m *ttyModes) set(t *unix.Termios) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.restored {
		return nil
	}
	m.cur = t
	return unix.IoctlSetTermios(m.fd, ioctlSetTermios, t)
}
