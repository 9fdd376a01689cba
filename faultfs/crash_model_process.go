package faultfs

// processModel: a process crash (kill -9). The kernel survives, so every
// completed operation does, synced or not.
type processModel struct{}

func (processModel) Name() string { return "process" }

func (processModel) plan(h *History, point int) *plan {
	p := &plan{point: point}
	for i := 0; i < point; i++ {
		if h.changesState(i) {
			p.addForced(h, i)
		}
	}
	p.index(h)
	return p
}

func (processModel) candidates(p *plan, g *chooser) bool {
	g.offer(nil)
	return true
}
