package faultfs

// A DescriptorCloser is a File that stands for one open file description
// shared by several descriptors, as the file a FUSE server opens is shared
// by every descriptor dup(2) and fork(2) make of it. CloseDescriptor
// records the close(2) of one of those descriptors, in program order,
// while the File stays open for the others; Close is the release of the
// last one, which a FUSE server learns of only after close(2) returned.
//
// The rule that keeps a trace deterministic: CloseDescriptor logs a close
// when something was written or truncated through the File since it was
// opened or since its last logged close, and nothing otherwise; Close
// then logs a close only when something was written after the last
// CloseDescriptor (pages of a shared mmap written back at release, say).
// A program's usual single close(2) is therefore one close op, where the
// program made it. The close-time rules (ext4-ordered's auto_da_alloc: a
// close after truncating to zero flushes what was written since) apply to
// each logged close. Linux runs them at the last close of the description
// only, which a FUSE server cannot tell from the others: when descriptors
// that share a description are written and closed in turn, the model
// flushes at the first close that follows writes, earlier than ext4 would.
//
// A [Mem]'s files are DescriptorClosers; an [Injector] passes the call on
// to the file it wraps (doing nothing when that file is not one) and
// traces it as an OpClose.
type DescriptorCloser interface {
	CloseDescriptor() error
}

var _ DescriptorCloser = (*memFile)(nil)

// CloseDescriptor implements DescriptorCloser.
func (f *memFile) CloseDescriptor() error {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if err := f.check("close"); err != nil {
		return err
	}
	// As Close logs it (mem_file.go), but the file stays open and the next
	// close logs only what is written from now on. truncZ stays: ext4
	// keeps its flush-at-close mark until the release.
	if f.wrote {
		f.wrote = false
		f.m.record(logOp{op: Op{Kind: OpClose, Path: f.name}, ino: f.n.ino, truncZ: f.truncZ})
	}
	return nil
}
