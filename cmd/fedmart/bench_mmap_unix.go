//go:build unix

package main

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// mappedWrites measures what a write to a page of a file mapped shared
// costs, as Badger's logs and tables are: first to pages that an msync
// has just written back (the kernel write-protects them, so the write
// faults; on tmpfs, which writes nothing back, it does not), then to
// the same pages once dirty. It writes one byte to
// each of pages pages, rounds times over, and returns the CPU time per
// page of each and the faults per page of the first.
func mappedWrites(path string, pages, rounds int) (clean, dirty time.Duration, faults float64, err error) {
	ps := os.Getpagesize()
	f, err := os.Create(path)
	if err != nil {
		return 0, 0, 0, err
	}
	defer os.Remove(path)
	defer f.Close()
	if _, err := f.Write(make([]byte, pages*ps)); err != nil { // every block allocated, as a log's are once written
		return 0, 0, 0, err
	}
	m, err := unix.Mmap(int(f.Fd()), 0, pages*ps, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return 0, 0, 0, err
	}
	defer unix.Munmap(m)
	write := func(b byte) {
		for i := range pages {
			m[i*ps] = b
		}
	}
	write(1) // every page mapped
	var cleanCPU, dirtyCPU time.Duration
	var n int64
	for r := range rounds {
		if err := unix.Msync(m, unix.MS_SYNC); err != nil {
			return 0, 0, 0, err
		}
		start, before := cpuTime(), pageFaults()
		write(byte(2 * r))
		mid := cpuTime()
		n += pageFaults() - before
		write(byte(2*r + 1))
		cleanCPU, dirtyCPU = cleanCPU+mid-start, dirtyCPU+cpuTime()-mid
	}
	all := time.Duration(pages * rounds)
	return cleanCPU / all, dirtyCPU / all, float64(n) / float64(pages*rounds), nil
}
