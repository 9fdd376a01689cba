package blockdev

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// EntryKind says what a logged request did to the device.
type EntryKind uint8

const (
	// Write wrote Data at Off (a WRITE the block layer sent).
	Write EntryKind = iota + 1
	// Zero zeroed Len bytes at Off (a discard or write-zeroes, which a
	// loop device sends as a zeroing fallocate).
	Zero
	// Flush made every earlier write durable (a cache flush, which
	// reaches the backing file as FSYNC).
	Flush
)

func (k EntryKind) String() string {
	switch k {
	case Write:
		return "write"
	case Zero:
		return "zero"
	case Flush:
		return "flush"
	}
	return fmt.Sprintf("EntryKind(%d)", uint8(k))
}

// Entry is one request to the device, in the order it arrived.
type Entry struct {
	Kind EntryKind
	Off  int64
	Len  int64  // bytes written or zeroed; 0 for a flush
	Data []byte // the bytes of a Write
}

func (e Entry) String() string {
	if e.Kind == Flush {
		return "flush"
	}
	return fmt.Sprintf("%s %d+%d", e.Kind, e.Off, e.Len)
}

// Info says how a log was recorded, so that its states can be mounted and
// judged.
type Info struct {
	FS        string   `json:"fs"`         // ext4, xfs or btrfs
	MkfsOpts  []string `json:"mkfs_opts"`  // extra mkfs arguments
	MountOpts string   `json:"mount_opts"` // mount options of the recording
	Workload  string   `json:"workload"`   // what ran (a command line, a workload name)
	// Exit is the number of entries logged when the workload returned
	// (a command exited): a crash at a later point comes after it.
	Exit int `json:"exit"`
	// ExitOK says the workload succeeded (a command exited 0).
	ExitOK bool `json:"exit_ok"`
	// Settle is how long the recording went on after the workload, in
	// seconds, before the final syncfs.
	Settle float64 `json:"settle_seconds"`
}

// Log is a recording: the device's content when recording began (Base,
// durable: recording starts right after a flush) and every request sent
// to it afterwards.
type Log struct {
	Info    Info
	Base    *Image
	Entries []Entry
}

// Writes returns the number of Write and Zero entries.
func (l *Log) Writes() int {
	n := 0
	for _, e := range l.Entries {
		if e.Kind != Flush {
			n++
		}
	}
	return n
}

const logMagic = "crashcheck block log v1\n"

// Encode writes the log, gzip-compressed: a small base image and a few
// hundred writes take a few tens of KiB.
func (l *Log) Encode(w io.Writer) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(zw)
	info, err := json.Marshal(l.Info)
	if err != nil {
		return err
	}
	bw.WriteString(logMagic)
	put := func(v uint64) {
		var b [binary.MaxVarintLen64]byte
		bw.Write(b[:binary.PutUvarint(b[:], v)])
	}
	put(uint64(len(info)))
	bw.Write(info)
	put(uint64(l.Base.size))
	idx := l.Base.pageIndexes()
	put(uint64(len(idx)))
	for _, i := range idx {
		put(uint64(i))
		bw.Write(l.Base.pages[i][:])
	}
	put(uint64(len(l.Entries)))
	for _, e := range l.Entries {
		bw.WriteByte(byte(e.Kind))
		put(uint64(e.Off))
		put(uint64(e.Len))
		if e.Kind == Write {
			bw.Write(e.Data)
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return zw.Close()
}

// DecodeLog reads a log written by [Log.Encode].
func DecodeLog(r io.Reader) (*Log, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("block log: %w", err)
	}
	br := bufio.NewReader(zr)
	magic := make([]byte, len(logMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != logMagic {
		return nil, errors.New("block log: not a crashcheck block log")
	}
	var rerr error
	get := func() uint64 {
		v, err := binary.ReadUvarint(br)
		if err != nil && rerr == nil {
			rerr = err
		}
		return v
	}
	read := func(n uint64) []byte {
		if n > 1<<30 {
			rerr = errors.New("length out of range")
			return nil
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(br, b); err != nil && rerr == nil {
			rerr = err
		}
		return b
	}
	l := &Log{}
	if err := json.Unmarshal(read(get()), &l.Info); err != nil && rerr == nil {
		rerr = err
	}
	l.Base = NewImage(int64(get()))
	for n := get(); n > 0 && rerr == nil; n-- {
		i := int64(get())
		pg := new([PageSize]byte)
		copy(pg[:], read(PageSize))
		l.Base.pages[i] = pg
	}
	for n := get(); n > 0 && rerr == nil; n-- {
		k, err := br.ReadByte()
		if err != nil {
			rerr = err
			break
		}
		e := Entry{Kind: EntryKind(k), Off: int64(get()), Len: int64(get())}
		switch e.Kind {
		case Write:
			e.Data = read(uint64(e.Len))
		case Zero, Flush:
		default:
			rerr = fmt.Errorf("unknown entry kind %d", k)
		}
		l.Entries = append(l.Entries, e)
	}
	if rerr != nil {
		return nil, fmt.Errorf("block log: %w", rerr)
	}
	return l, nil
}
