package faultfs

import "os"

var (
	_ RemoveAller = OS{}
	_ Truncater   = OS{}
	_ RemoveAller = (*Root)(nil)
)

// RemoveAll implements RemoveAller with os.RemoveAll.
func (OS) RemoveAll(name string) error { return os.RemoveAll(name) }

// Truncate implements Truncater with os.Truncate.
func (OS) Truncate(name string, size int64) error { return os.Truncate(name, size) }

// RemoveAll implements RemoveAller with os.Root's RemoveAll: it does not
// leave the Root. (os.Root has no Truncate: [Truncate] on a Root opens the
// file inside it and truncates that.)
func (r *Root) RemoveAll(name string) error { return r.root.RemoveAll(name) }
