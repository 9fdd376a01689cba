package faultfs

import "bytes"

// Reusing another run's writes.
//
// A harness that re-runs one workload many times from one set-up state
// (scenarios.Verify, once per injected fault) has most runs write exactly
// what the fault-free run wrote. Each run copying its writes afresh costs
// an allocation and a copy per run, and then every comparison of a file
// across runs (the invariants compare each run's files with the fault-free
// run's) reads both copies byte by byte, once per state.
//
// So a Mem made by [Mem.CloneReusing] is given the fault-free run's
// history; a write it logs at the index where that history logged a write
// at the same offset, at least as long, is compared with that write's
// first bytes (once, at
// write time: O(n) reads, no allocation) and, when the bytes are equal and
// the write fills pages of its own, keeps the other run's immutable memory
// instead of a copy. Crash states of both runs then share that memory, and
// comparing the file across runs finds the runs identical without reading
// them. A write whose bytes differ, or that shares a page with old bytes,
// is copied as any other: what a run reads back never depends on the
// reference, only how much memory it costs.

// reusable returns the first n bytes the reference logged for the write
// about to be logged at off, if it logged a write of n bytes or more there
// (a short write of this run writes a prefix of what the reference wrote);
// nil otherwise.
func (m *Mem) reusable(off int64, n int) []byte {
	i := len(m.log)
	if i >= len(m.reuse) {
		return nil
	}
	o := &m.reuse[i]
	if o.op.Kind != OpWrite || o.off != off || len(o.data) < n {
		return nil
	}
	return o.data[:n]
}

// writeReusing is write, except that when same holds exactly p's bytes (it
// is immutable memory: a logged write of another run) and p fills its
// pages alone (it starts at a page boundary and ends at one or at the
// file's end, with no gap before it), the pages are made slices of same,
// and same is returned: nothing is copied.
func (d *fileData) writeReusing(p []byte, off int64, same []byte) []byte {
	end := off + int64(len(p))
	if len(same) != len(p) || len(p) == 0 || off%pageSize != 0 || off > d.size ||
		end%pageSize != 0 && end < d.size || d.sp != nil || d.goSparse(end) ||
		same[0] != p[0] || same[len(same)-1] != p[len(p)-1] || !bytes.Equal(same, p) {
		return d.write(p, off)
	}
	size := max(d.size, end)
	d.setPages(int((size + pageSize - 1) / pageSize))
	d.size = size
	for i := int(off / pageSize); int64(i)*pageSize < end; i++ {
		lo := int64(i)*pageSize - off
		d.pages[i] = same[lo : lo+int64(pageLen(i, size))]
	}
	d.src.holdMemOf(same)
	return same
}
