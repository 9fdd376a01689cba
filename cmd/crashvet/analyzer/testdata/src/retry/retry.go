// Package retry retries failed fsyncs.
package retry

import (
	"errors"
	"os"
	"syscall"
	"time"
)

func loopUntilOK(f *os.File) error {
	var err error
	for try := 0; try < 3; try++ {
		if err = f.Sync(); err == nil { // want `sync-retried: f.Sync is retried in a loop`
			return nil
		}
		time.Sleep(time.Millisecond)
	}
	return err
}

func loopCond(f *os.File) {
	for err := f.Sync(); err != nil; err = f.Sync() { // want `sync-retried` `sync-retried`
	}
}

func onceMore(f *os.File) error {
	if err := f.Sync(); err != nil {
		return f.Sync() // want `sync-retried: f.Sync is called again after it failed`
	}
	return nil
}

func onceMorePrev(f *os.File) error {
	err := f.Sync()
	if err != nil {
		err = f.Sync() // want `sync-retried: f.Sync is called again after it failed`
	}
	return err
}

// eintr retries only an interrupted fsync: correct.
func eintr(f *os.File) error {
	for {
		err := f.Sync()
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

// periodic syncs after each batch of writes: not a retry.
func periodic(f *os.File, batches [][]byte) error {
	for _, b := range batches {
		if _, err := f.Write(b); err != nil {
			return err
		}
		if err := f.Sync(); err != nil {
			return err
		}
	}
	return nil
}

// each syncs many files, each once.
func each(files []*os.File) error {
	for _, f := range files {
		if err := f.Sync(); err != nil {
			return err
		}
	}
	return nil
}

// ticker syncs on a timer and stops at the first failure.
func ticker(f *os.File, tick <-chan time.Time) error {
	for range tick {
		if err := f.Sync(); err != nil {
			return err
		}
	}
	return nil
}

// fresh syncs a second, different file after the first failed.
func fresh(f, g *os.File) error {
	if err := f.Sync(); err != nil {
		return g.Sync()
	}
	return nil
}
