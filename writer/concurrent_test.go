package writer

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// childEnv tells a re-executed test binary to act as one writer process.
const childEnv = "WRITER_TEST_CHILD"

func TestMain(m *testing.M) {
	if spec := os.Getenv(childEnv); spec != "" {
		os.Exit(childWriter(spec))
	}
	os.Exit(m.Run())
}

// writerContent is writer i's content: large enough that a mix would show,
// and every byte says whose it is.
func writerContent(i, size int) []byte {
	return bytes.Repeat([]byte{byte('A' + i)}, size)
}

const (
	concurrentSize   = 256 << 10
	concurrentRounds = 8
)

// childWriter replaces the target named in spec ("i path") repeatedly.
func childWriter(spec string) int {
	var i int
	var path string
	if _, err := fmt.Sscanf(spec, "%d %s", &i, &path); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	for range concurrentRounds {
		if err := WriteFile(path, writerContent(i, concurrentSize), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return 0
}

// wantOneWriter fails unless path holds exactly one writer's whole content.
func wantOneWriter(t *testing.T, path string, writers int) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != concurrentSize {
		t.Fatalf("%s has %d bytes, want %d", path, len(got), concurrentSize)
	}
	i := int(got[0] - 'A')
	if i < 0 || i >= writers || !bytes.Equal(got, writerContent(i, concurrentSize)) {
		t.Fatalf("%s holds a mix, not one writer's content", path)
	}
}

func TestConcurrentGoroutines(t *testing.T) {
	const writers = 16
	dir := t.TempDir()
	name := filepath.Join(dir, "shared")
	var wg sync.WaitGroup
	errs := make(chan error, writers*concurrentRounds)
	for i := range writers {
		wg.Go(func() {
			for range concurrentRounds {
				if err := WriteFile(name, writerContent(i, concurrentSize), 0o644, WithDurability(FileSynced)); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	wantOneWriter(t, name, writers)
	wantEntries(t, dir, "shared")
}

func TestConcurrentProcesses(t *testing.T) {
	const writers = 4
	dir := t.TempDir()
	name := filepath.Join(dir, "shared")
	cmds := make([]*exec.Cmd, writers)
	outs := make([]bytes.Buffer, writers)
	for i := range cmds {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d %s", childEnv, i, name))
		cmd.Stderr = &outs[i]
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds[i] = cmd
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("writer process %d: %v: %s", i, err, outs[i].String())
		}
	}
	wantOneWriter(t, name, writers)
	wantEntries(t, dir, "shared")
}
