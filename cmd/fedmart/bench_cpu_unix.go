//go:build unix

package main

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time this process has used so far, user and
// system: a figure that other processes on a shared machine do not
// inflate the way they inflate wall-clock rates.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// pageFaults is how many page faults this process has taken so far,
// minor and major. A write to a page of a file mapped shared faults
// after every msync of the page (the kernel write-protects it to see the
// next write), and Badger's logs are such files: the count shows what
// its flushes cost beside their own syscalls.
func pageFaults() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return int64(ru.Minflt) + int64(ru.Majflt) // int32 on 32-bit systems
}
