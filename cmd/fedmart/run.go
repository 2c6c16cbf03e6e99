package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/fedmart/fedmart/node"
	"github.com/spf13/cobra"
)

func newRun() *cobra.Command {
	var dir, charter string
	cmd := &cobra.Command{
		Use:   "run --data DIR [--charter FILE]",
		Short: "Run the node until SIGINT or SIGTERM",
		Long: `run starts the node in DIR: Badger, the members-only libp2p host and the
HTTP API. With --charter, the file is verified before anything listens
(an invalid charter exits non-zero) and applied if it is newer than the
stored one. On SIGINT or SIGTERM the node drains HTTP, leaves the
federation and closes its database, then exits 0.

For fault tests only, FEDMART_CLOCK_OFFSET (a Go duration such as "6s"
or "-3s") runs the node's clock that far from the machine's: order
stamps, settlement periods and watermarks all follow it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := node.LoadConfig(dir)
			if err != nil {
				return err
			}
			if charter != "" {
				if cfg.Charter, err = filepath.Abs(charter); err != nil {
					return err
				}
			}
			if mb := cfg.Storage.MemoryLimitMB; mb > 0 && os.Getenv("GOMEMLIMIT") == "" {
				debug.SetMemoryLimit(int64(mb) << 20) // process-wide: set here, not by the node
			}
			opts, err := clockOption()
			if err != nil {
				return err
			}
			n, err := node.New(cfg, node.NewLogger(cfg.Log, cmd.ErrOrStderr()), opts...)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "fedmart node %s\n  peer id %s\n  api     %s\n", cfg.Name, n.PeerID(), n.APIURL())
			runErr := n.Run(cmd.Context())
			closeErr := n.Close()
			if runErr != nil {
				return runErr
			}
			return closeErr
		},
	}
	cmd.Flags().StringVar(&dir, "data", "", "the node's data folder (from fedmart init)")
	cmd.Flags().StringVar(&charter, "charter", "", "a signed charter file to apply at start")
	must(cmd.MarkFlagRequired("data"))
	return cmd
}

// clockOption reads FEDMART_CLOCK_OFFSET, the test-only offset of the
// node's clock.
func clockOption() ([]node.Option, error) {
	v := os.Getenv("FEDMART_CLOCK_OFFSET")
	if v == "" {
		return nil, nil
	}
	off, err := time.ParseDuration(v)
	if err != nil {
		return nil, fmt.Errorf("FEDMART_CLOCK_OFFSET: %w", err)
	}
	return []node.Option{node.WithClock(func() time.Time { return time.Now().Add(off) })}, nil
}
