package node

import (
	"flag"
	"os"
	"testing"
)

// TestMain lets the package's parallel tests run all at once rather than
// two at a time. go test runs as many parallel tests as there are cores
// by default, but these (three members each, settling over a period of a
// minute) spend most of their time waiting for the period to close, not
// computing. An explicit -parallel wins.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		if err := flag.Set("test.parallel", "16"); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}
