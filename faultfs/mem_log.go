package faultfs

// record appends an operation to the log and returns its index.
func (m *Mem) record(l logOp) int {
	l.op.Index = len(m.log)
	if l.op.Kind == OpWrite {
		l.op.N = int64(len(l.data))
	}
	m.log = append(m.log, l)
	return l.op.Index
}
