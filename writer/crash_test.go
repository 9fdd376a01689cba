package writer

import (
	"bytes"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs"
)

// TestCrashStatesOnMem runs a replace on faultfs.Mem and checks every state
// each persistence model allows after a crash at every point: the target
// always holds the whole old or the whole new content, and after a Durable
// replace has returned, only the new. (The scenario suite checks far more;
// this keeps the writer's own package honest.)
func TestCrashStatesOnMem(t *testing.T) {
	oldData := bytes.Repeat([]byte("old "), 300)  // 1200 bytes: torn writes can show
	newData := bytes.Repeat([]byte("NEW! "), 500) // 2500 bytes
	for _, d := range []Durability{Durable, FileSynced, NoSync} {
		for _, model := range faultfs.Models() {
			if d == NoSync && model.Name() != "process" {
				continue // NoSync promises nothing across a power loss
			}
			t.Run(d.String()+"/"+model.Name(), func(t *testing.T) {
				mem := faultfs.NewMem()
				must(t, mem.Mkdir("d", 0o755))
				must(t, faultfs.WriteFile(mem, "d/t", oldData, 0o644))
				mem.MakeDurable()
				must(t, WriteFile("d/t", newData, 0o644, WithFS(mem), WithDurability(d)))
				h := mem.History()
				sawOldAtEnd := false
				for point := 0; point < h.Points(); point++ {
					last := point == h.Points()-1
					h.Enumerate(model, point, faultfs.EnumOptions{Seed: 1}, func(s *faultfs.CrashState) bool {
						got, err := s.ReadFile("d/t")
						switch {
						case err != nil:
							t.Fatalf("crash at %d: target lost (%v)\n%s", point, err, s.Describe())
						case bytes.Equal(got, newData):
						case bytes.Equal(got, oldData):
							if last {
								sawOldAtEnd = true
								if d == Durable {
									t.Fatalf("crash after a Durable replace returned: old content\n%s", s.Describe())
								}
							}
						default:
							t.Fatalf("crash at %d: target holds %d bytes, neither old nor new\n%s", point, len(got), s.Describe())
						}
						return true
					})
				}
				// Without the directory fsync the rename may be lost.
				if d == FileSynced && model.Name() == "posix" && !sawOldAtEnd {
					t.Errorf("no crash state after a FileSynced replace brings the old content back under posix")
				}
			})
		}
	}
}
