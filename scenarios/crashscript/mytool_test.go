//go:build linux

package crashscript_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/crashcheck/crashcheck/writer"
)

// mytool is the program the scripts crash-test, installed on their PATH
// by testscript.Main (TestMain): it keeps settings in config.json, a JSON
// object.
//
//	mytool init                      write config.json: {"name": "old"}
//	mytool set [-broken] KEY=VALUE   set KEY: replace config.json durably and atomically
//	                                 (writer.WriteFile), or with -broken in place
//	                                 (truncate and write: a crash can leave it empty)
func mytool() int {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: mytool init | mytool set [-broken] KEY=VALUE")
		return 2
	}
	switch os.Args[1] {
	case "init":
		return report(os.WriteFile("config.json", []byte(`{"name":"old"}`+"\n"), 0o644))
	case "set":
		fs := flag.NewFlagSet("mytool set", flag.ContinueOnError)
		broken := fs.Bool("broken", false, "rewrite config.json in place, not atomically")
		if err := fs.Parse(os.Args[2:]); err != nil {
			return 2
		}
		key, value, ok := strings.Cut(fs.Arg(0), "=")
		if fs.NArg() != 1 || !ok {
			fmt.Fprintln(os.Stderr, "usage: mytool set [-broken] KEY=VALUE")
			return 2
		}
		return report(set(key, value, *broken))
	}
	fmt.Fprintf(os.Stderr, "mytool: unknown command %q\n", os.Args[1])
	return 2
}

func set(key, value string, broken bool) error {
	data, err := os.ReadFile("config.json")
	if err != nil {
		return err
	}
	config := map[string]string{}
	if err := json.Unmarshal(data, &config); err != nil {
		return fmt.Errorf("config.json: %v", err)
	}
	config[key] = value
	if data, err = json.Marshal(config); err != nil {
		return err
	}
	data = append(data, '\n')
	if broken {
		err = os.WriteFile("config.json", data, 0o644)
	} else {
		err = writer.WriteFile("config.json", data, 0o644)
	}
	if err == nil {
		fmt.Printf("mytool: set %s=%s\n", key, value)
	}
	return err
}

func report(err error) int {
	if err != nil {
		fmt.Fprintf(os.Stderr, "mytool: %v\n", err)
		return 1
	}
	return 0
}
