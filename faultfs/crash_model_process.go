package faultfs

// processModel: a process crash (kill -9). The kernel survives, so every
// completed operation does, synced or not.
type processModel struct{}

func (processModel) Name() string { return "process" }

func (processModel) plan(h *History, point int, ops []int32) *plan {
	p := &plan{point: point}
	for _, j := range ops {
		i := int(j)
		if h.changesState(i) {
			p.addForced(h, i)
		}
	}
	p.index(h)
	return p
}

// settledAt: an op is durable as soon as it is done.
func (processModel) settledAt(h *History, i int) (int, bool) {
	return i + 1, h.changesState(i)
}

func (processModel) candidates(p *plan, g *chooser) bool {
	g.offer(nil)
	return true
}
