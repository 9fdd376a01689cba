package faultfs

import "io/fs"

// The st_mode bits, with the values every unix uses (POSIX leaves them to
// the system, but Linux, the BSDs and darwin agree), spelled here so that
// StatMode builds on every system.
const (
	sIFIFO  = 0o010000
	sIFCHR  = 0o020000
	sIFDIR  = 0o040000
	sIFBLK  = 0o060000
	sIFREG  = 0o100000
	sIFLNK  = 0o120000
	sIFSOCK = 0o140000
	sISUID  = 0o4000
	sISGID  = 0o2000
	sISVTX  = 0o1000
)

// StatMode converts a FileMode to the st_mode bits a unix stat(2) reports:
// the file type (S_IFREG, S_IFDIR, S_IFLNK, S_IFIFO, S_IFSOCK, S_IFCHR,
// S_IFBLK), the permission bits, and set-user-ID, set-group-ID and sticky.
func StatMode(mode fs.FileMode) uint32 {
	m := uint32(mode.Perm())
	switch {
	case mode.IsDir():
		m |= sIFDIR
	case mode&fs.ModeSymlink != 0:
		m |= sIFLNK
	case mode&fs.ModeNamedPipe != 0:
		m |= sIFIFO
	case mode&fs.ModeSocket != 0:
		m |= sIFSOCK
	case mode&fs.ModeCharDevice != 0:
		m |= sIFCHR
	case mode&fs.ModeDevice != 0:
		m |= sIFBLK
	default:
		m |= sIFREG
	}
	if mode&fs.ModeSetuid != 0 {
		m |= sISUID
	}
	if mode&fs.ModeSetgid != 0 {
		m |= sISGID
	}
	if mode&fs.ModeSticky != 0 {
		m |= sISVTX
	}
	return m
}
