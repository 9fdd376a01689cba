//go:build !unix

package main

// signalSelfAt: signals are unix; the scripts that use it skip elsewhere.
func signalSelfAt(string) {}
