// Package inplace rewrites files in place that it also reads back.
package inplace

import (
	"encoding/json"
	"os"
	"path/filepath"
)

const statePath = "state.json"

var configPath = filepath.Join(os.Getenv("HOME"), ".toolrc")

type Store struct{ path string }

func LoadState() ([]byte, error) { return os.ReadFile(statePath) }

func SaveState(b []byte) error {
	return os.WriteFile(statePath, b, 0o644) // want `in-place: os.WriteFile truncates and rewrites statePath in place, and the package reads it back`
}

func SaveConfig(v any) error {
	f, err := os.Create(configPath) // want `in-place: os.Create truncates and rewrites configPath in place`
	if err != nil {
		return err
	}
	defer f.Close()
	return json.NewEncoder(f).Encode(v)
}

func LoadConfig(v any) error {
	f, err := os.Open(configPath)
	if err != nil {
		return err
	}
	defer f.Close()
	return json.NewDecoder(f).Decode(v)
}

func (s *Store) Load() ([]byte, error) { return os.ReadFile(s.path) }

func (s *Store) Save(b []byte) error {
	f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600) // want `in-place: os.OpenFile truncates and rewrites s.path in place`
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func Literal(b []byte) error {
	if _, err := os.ReadFile("data/" + "db"); err == nil {
		return os.WriteFile("data/db", b, 0o644) // want `in-place: os.WriteFile`
	}
	return nil
}
