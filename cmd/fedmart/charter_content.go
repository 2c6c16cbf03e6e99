package main

import (
	"slices"

	"github.com/fedmart/fedmart/federation"
	"github.com/spf13/pflag"
)

// contentFlags are the charter's content terms as flags of charter new
// and charter amend (see federation.ContentTerms): who may publish
// federation pages and help articles.
type contentFlags struct {
	publishers []string
}

// register adds the flag to f; verb starts its help ("set", "change").
func (cf *contentFlags) register(f *pflag.FlagSet, verb string) {
	f.StringArrayVar(&cf.publishers, "content-publisher", nil, verb+" the members that may publish federation pages and help articles: a peer ID, repeatable (none, or \"\": every active member)")
}

// apply copies the publishers onto t when the user gave the flag: an
// amendment that names none keeps the charter's list, one that names ""
// lets every active member publish again.
func (cf *contentFlags) apply(f *pflag.FlagSet, t *federation.ContentTerms) {
	if !f.Changed("content-publisher") {
		return
	}
	t.Publishers = slices.DeleteFunc(slices.Clone(cf.publishers), func(p string) bool { return p == "" })
	if len(t.Publishers) == 0 {
		t.Publishers = nil
	}
}
