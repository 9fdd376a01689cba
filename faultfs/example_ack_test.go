//go:build unix

package faultfs_test

import (
	"fmt"
	"os"
	"syscall"

	"github.com/crashcheck/crashcheck/faultfs"
)

// A log that acknowledges each record after appending it, and a check at
// every crash point that every acknowledged record survived. The appends
// go through an O_DSYNC descriptor, so each is durable before its ack.
func ExampleAck() {
	m := faultfs.NewMem()
	m.MakeDurable()
	f, err := m.OpenFile("log", os.O_WRONLY|os.O_CREATE|os.O_APPEND|syscall.O_DSYNC, 0o644)
	if err != nil {
		panic(err)
	}
	if err := faultfs.SyncDir(m, "."); err != nil { // the log's name
		panic(err)
	}
	for _, rec := range []string{"a", "b"} {
		if _, err := f.Write([]byte(rec)); err != nil {
			panic(err)
		}
		faultfs.Ack(m, rec) // as a server replies "stored"
	}
	f.Close()

	h := m.History()
	for point := range h.Points() {
		acked := h.AcksBefore(point)
		h.Enumerate(faultfs.POSIX, point, faultfs.EnumOptions{}, func(s *faultfs.CrashState) bool {
			data, _ := s.ReadFile("log")
			if len(data) < len(acked) {
				fmt.Printf("point %d: %d records acknowledged, %q survived\n", point, len(acked), data)
			}
			return true
		})
	}
	for _, op := range h.Ops() {
		fmt.Println(op)
	}
	// Output:
	// #0 create log 0644 = ok
	// #1 fsyncdir . = ok
	// #2 write log off=0 len=1 O_DSYNC = ok
	// #3 ack "a" = ok
	// #4 write log off=1 len=1 O_DSYNC = ok
	// #5 ack "b" = ok
	// #6 close log = ok
}
