//go:build linux

package main

import (
	"os"

	"github.com/crashcheck/crashcheck/cmd/crashcheck/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
