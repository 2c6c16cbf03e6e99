package main

import (
	"io"

	"github.com/spf13/cobra"
)

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "fedmart",
		Short: "fedmart runs a member node of a commerce federation",
		Long: `fedmart is the node every member platform of a commerce alliance runs.
Merchants list once on their home platform and are found on every member's
storefront; shoppers buy from merchants on several platforms in one checkout;
the revenue shares are reconciled and netted between the platforms.

Start with "fedmart demo" to see a three-member federation on this machine,
or "fedmart init" to create a real node.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newInit(), newID(), newCharter(), newRun(), newDemo(), newBench(), newListings(), newSettle(), newMerchant(), newBackup(), newRestore())
	return root
}
