//go:build linux

package cli

import (
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// interruptOnSignal interrupts c on the first SIGINT or SIGTERM, saying so
// through p, and then lets a second signal kill the process as usual.
// The returned stop ends the watch and returns the signal that interrupted
// c, or nil.
func interruptOnSignal(c *campaign, p *progress) (stop func() os.Signal) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	var (
		wg     sync.WaitGroup
		caught os.Signal
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case caught = <-ch:
			signal.Stop(ch) // a second signal takes its default action
			c.interrupt()
			p.println("crashcheck torture: " + signalName(caught) + ": stopping; cases still running are dropped (a second signal quits at once)")
		case <-done:
		}
	}()
	return func() os.Signal {
		close(done)
		wg.Wait()
		signal.Stop(ch)
		return caught
	}
}

// signalName is SIGINT, SIGTERM.
func signalName(s os.Signal) string {
	switch s {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}
