//go:build !unix

package main

import "time"

// cpuTime is not measured on this system.
func cpuTime() time.Duration { return 0 }

// pageFaults is not counted on this system.
func pageFaults() int64 { return 0 }

// mappedWrites is not measured on this system.
func mappedWrites(string, int, int) (clean, dirty time.Duration, faults float64, err error) {
	return 0, 0, 0, nil
}
