package blockdev

import (
	"errors"
	"io/fs"

	"github.com/crashcheck/crashcheck/faultfs"
)

// modelOutcomes runs w on a faultfs.Mem holding the old target, durable,
// and returns the target's outcomes in every crash state model allows,
// at any point, and at the last point (after the workload returned).
func modelOutcomes(w workload, m faultfs.Model) (any, afterExit outcomeSet, err error) {
	mem := faultfs.NewMem()
	if err := faultfs.WriteFile(mem, target, oldContent, 0o644); err != nil {
		return nil, nil, err
	}
	mem.MakeDurable()
	if err := w.run(mem, 0); err != nil {
		return nil, nil, err
	}
	h := mem.History()
	any, afterExit = outcomeSet{}, outcomeSet{}
	last := h.Points() - 1
	for k := 0; k <= last; k++ {
		h.Enumerate(m, k, faultfs.EnumOptions{MaxStates: 1 << 16}, func(s *faultfs.CrashState) bool {
			data, err := s.ReadFile(target)
			var o outcome
			switch {
			case errors.Is(err, fs.ErrNotExist):
				o = outAbsent
			case err != nil:
				o = outUnreadable
			default:
				o = classify(true, data, "")
			}
			any[o] = true
			if k == last {
				afterExit[o] = true
			}
			return true
		})
	}
	return any, afterExit, nil
}
