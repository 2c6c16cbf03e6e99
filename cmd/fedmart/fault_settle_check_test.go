//go:build linux

package main

// The fault suite's checks of settlement (see fault_check_test.go).

// 5. Every period the load spanned is agreed on both sides of every pair,
// with equal digests.

func (c *faultCheck) agreed() error { return periodsAgreed(c.procs(), c.periods) }

// 6. Every period's net positions sum to exactly zero and every member
// computes the same.

func (c *faultCheck) netting() error { return nettingSumsToZero(c.procs(), c.periods) }
