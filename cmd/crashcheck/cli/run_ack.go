//go:build linux

package cli

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Acknowledgements (--ack REGEX): COMMAND's standard output is a pipe
// that crashcheck reads itself, taking the read end from the namespace
// init with pidfd_getfd, so that a line is seen as soon as COMMAND has
// written it. Each line is passed on to crashcheck's stdout; one that
// matches REGEX is marked in the log (faultfs.Ack, labelled with the line)
// the moment it is read. The mark therefore never comes before an
// operation COMMAND made before printing it; it may come after a few
// made since, which can only hide a violation, never invent one. A check
// in a crash state finds the lines acknowledged before its crash point in
// the file named by CRASHCHECK_ACKS, one a line.

// lineReader reads a command's stdout a line at a time.
type lineReader struct {
	f    *os.File
	done chan struct{}
}

// readLines takes descriptor fd of process pid and hands each line read
// from it to line, until end of file.
func readLines(pid, fd int, line func([]byte)) (*lineReader, error) {
	pidfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return nil, fmt.Errorf("reading COMMAND's stdout: pidfd_open: %w", err)
	}
	defer unix.Close(pidfd)
	rfd, err := unix.PidfdGetfd(pidfd, fd, 0)
	if err != nil {
		return nil, fmt.Errorf("reading COMMAND's stdout: pidfd_getfd: %w", err)
	}
	lr := &lineReader{f: os.NewFile(uintptr(rfd), "COMMAND-stdout"), done: make(chan struct{})}
	go func() {
		defer close(lr.done)
		br := bufio.NewReaderSize(lr.f, 64<<10)
		for {
			b, err := br.ReadBytes('\n')
			if len(b) > 0 {
				line(b)
			}
			if err != nil {
				return
			}
		}
	}()
	return lr, nil
}

// wait waits until the pipe has been read to its end (every writer gone),
// or timeout has passed.
func (lr *lineReader) wait(timeout time.Duration) {
	select {
	case <-lr.done:
	case <-time.After(timeout):
	}
}

func (lr *lineReader) close() {
	lr.f.Close()
	<-lr.done
}

// ackLine passes a line of COMMAND's output on to stdout and marks it as
// acknowledged if it matches --ack.
func (r *runner) ackLine(b []byte) {
	r.stdout.Write(b)
	label := strings.TrimSuffix(string(b), "\n")
	if r.cfg.ack.MatchString(label) {
		r.mem.Ack(label)
	}
}

// writeAcks writes the labels of the acknowledgements made before point,
// one a line, to the file name (made afresh).
func (r *runner) writeAcks(point int, name string) error {
	var b strings.Builder
	for _, a := range r.hist.AcksBefore(point) {
		b.WriteString(a.Label)
		b.WriteByte('\n')
	}
	os.Remove(name)
	if err := os.WriteFile(name, []byte(b.String()), 0o644); err != nil {
		return err
	}
	// Readable by a --user whatever the umask.
	return os.Chmod(name, 0o644)
}
