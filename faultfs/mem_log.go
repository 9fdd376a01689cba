package faultfs

import "unsafe"

// record appends an operation to the log and returns its index.
func (m *Mem) record(l logOp) int {
	l.op.Index = len(m.log)
	if l.op.Kind == OpWrite {
		l.op.N = int64(len(l.data))
	}
	old := unsafe.SliceData(m.log)
	m.log = append(m.log, l)
	if len(m.data.stores) > 0 && unsafe.SliceData(m.log) != old {
		keep(&m.log[0], m.data.stores...) // a History may hold it (mem_data_spill.go)
	}
	return l.op.Index
}
