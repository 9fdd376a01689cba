//go:build unix

package writer_test

import (
	"fmt"
	"log"
	"os"
	"syscall"

	"github.com/crashcheck/crashcheck/writer"
)

// Giving a file to another user needs root, so this example is not run.
func ExampleWithOwner() {
	name := "/home/alice/.config/app.toml"
	if err := writer.WriteFile(name, []byte("x"), 0o644, writer.WithOwner(1000, 1000)); err != nil {
		log.Fatal(err)
	}
	fi, _ := os.Stat(name)
	st := fi.Sys().(*syscall.Stat_t)
	fmt.Printf("%d:%d\n", st.Uid, st.Gid) // 1000:1000
}
