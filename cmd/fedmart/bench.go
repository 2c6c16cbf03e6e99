package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

// figure is one measured quantity beside its baseline from the same run.
type figure struct {
	Name     string  `json:"name"`
	Unit     string  `json:"unit"`
	Value    float64 `json:"value"`
	Baseline string  `json:"baseline,omitempty"`
	Base     float64 `json:"baseline_value,omitempty"`
	Goal     string  `json:"goal,omitempty"`
}

// report is the output of one scenario.
type report struct {
	Scenario string    `json:"scenario"`
	When     time.Time `json:"when"`
	Figures  []figure  `json:"figures"`
}

func (r report) print(w io.Writer, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "scenario %s\t\t\t\t\t\n", r.Scenario)
	fmt.Fprintln(tw, "figure\tvalue\tbaseline\tbaseline value\tratio\tgoal")
	for _, f := range r.Figures {
		ratio := "-"
		if f.Base > 0 {
			ratio = fmt.Sprintf("%.2fx", f.Value/f.Base)
		}
		base := "-"
		if f.Baseline != "" {
			base = fmt.Sprintf("%.3f %s", f.Base, f.Unit)
		}
		fmt.Fprintf(tw, "%s\t%.3f %s\t%s\t%s\t%s\t%s\n", f.Name, f.Value, f.Unit, orDash(f.Baseline), base, ratio, orDash(f.Goal))
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// scenarios maps a scenario name to its runner.
var scenarios = map[string]func(cmd *cobra.Command, o benchOptions) (report, error){
	"federation": benchFederation,
	"catalog":    benchCatalog,
	"orders":     benchOrders,
	"settle":     benchSettle,
	"scale":      benchScale,
}

type benchOptions struct {
	members      int
	json         bool
	compare      string // a previous --json report to print beside this run
	only         string
	cpuProfile   string
	mutexProfile string
	memProfile   string // catalog search: a heap profile while the listings are held
	signing      string // replication.message_signing of the catalog members and baseline
	catalog      catalogSizes
	scale        scaleSizes
}

func newBench() *cobra.Command {
	var o benchOptions
	names := make([]string, 0, len(scenarios))
	for n := range scenarios {
		names = append(names, n)
	}
	sort.Strings(names)
	cmd := &cobra.Command{
		Use:   "bench SCENARIO",
		Short: "Measure a capability beside its baseline, in the same run",
		Long: `bench runs one scenario on this machine and prints each figure beside the
baseline it is compared with, measured in the same run, as a table (or
JSON with --json). --compare FILE then prints each figure beside the same
figure of a run saved with --json, so that regressions show. Scenarios: ` + strings.Join(names, ", ") + `.

  federation  time for --members in-process members to form a full mesh,
              beside bare libp2p hosts connecting the same way; resident
              memory of one idle node process, beside a bare libp2p host
              process.
  catalog     propagation of --changes listing changes to --members
              members (beside bare GossipSub: latency, CPU time and
              page faults per change), catch-up after --catchup
              changes (bytes beside the records' raw size), import of
              --import listings over HTTP (beside a raw Badger WriteBatch;
              its CPU time and page faults per listing),
              one-listing feeds of --edit-merchants merchants at once
              (beside one merchant alone: feeds a second, latency, flushes,
              CPU, the writer lock's time and feeds per turn of it),
              search over --search-docs listings at 8 clients (beside
              GET /healthz) and the memory holding them; with
              --chinese 0.2 a fifth of them in Chinese, beside an
              English-only run of the same size; with --reviews and
              --campaigns, the storefront's search page with that many
              reviews and sponsored slots on, beside the same search
              without them in the same run.
  orders      checkouts on the first of three members (loyalty on): a
              cart from the two others (beside a bare libp2p round trip
              and fsyncs), the same with shipping quotes, and one part
              from the second paying with points held at the third by a
              shopper signed in with it (beside the same checkout
              without points); sub-orders per second at 32 shoppers,
              and counted until every member's outbox is empty (the
              messages still queued when the shoppers stop, and the
              time and CPU their delivery takes, belong to the storm);
              what a sub-order is made of (order messages, Badger's
              entries, bytes and reads, and its writes by key prefix,
              with those long enough for Badger's value log, whose
              flush is a second sync), beside the CPU time of one
              round trip, signature, verification and commit; the
              storm's CPU split by member (profiler labels): what a
              storefront and a home would accept on two cores of
              their own, beside two cores for all three; the cart and
              the storm again with every member's flushes to disk
              skipped, beside them: the most any way of making orders
              durable could save; the page faults of each storm and
              of one synced commit, beside one without the sync (a
              flush write-protects the pages of Badger's mapped logs,
              and the next writes fault).
  scale       one member loaded to each count of --at (default 1M and
              2M listings); at each: search p50/p99 at 8 clients
              (beside GET /healthz), the same once the node has filed
              its index by category (beside before), a merchant's
              one-listing feeds while it files (longest beside median),
              the process's memory after the load and once it has filed,
              the search index's heap and rebuild time from Badger and,
              with --catchup-new, a new member catching up with all of
              it; with --shards, also a new member holding only those
              categories, beside the one holding all, and the heap each
              new member adds. Later counts are printed beside the
              first, measured in the same run. --whole-upto N keeps the
              rebuild and the new member holding all to the counts up
              to N: toward ten million, a second index or a second
              whole copy would not fit in memory beside the first.`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: names,
		RunE: func(cmd *cobra.Command, args []string) error {
			run, ok := scenarios[args[0]]
			if !ok {
				return fmt.Errorf("unknown scenario %q; choose one of %s", args[0], strings.Join(names, ", "))
			}
			var prev report
			if o.compare != "" { // read first: a bad file should not cost a run
				var err error
				if prev, err = readReport(o.compare); err != nil {
					return err
				}
			}
			if o.cpuProfile != "" {
				f, err := os.Create(o.cpuProfile)
				if err != nil {
					return err
				}
				defer f.Close()
				if err := pprof.StartCPUProfile(f); err != nil {
					return err
				}
				defer pprof.StopCPUProfile()
			}
			if o.mutexProfile != "" {
				runtime.SetMutexProfileFraction(5)
				runtime.SetBlockProfileRate(int(100 * time.Microsecond))
				defer writeContention(cmd, o.mutexProfile)
			}
			r, err := run(cmd, o)
			if err != nil {
				return err
			}

			r.Scenario, r.When = args[0], time.Now().UTC()
			if err := r.print(cmd.OutOrStdout(), o.json); err != nil || o.compare == "" {
				return err
			}
			// With --json the comparison goes to stderr, so that stdout
			// stays one report that a later --compare can read.
			w := cmd.OutOrStdout()
			if o.json {
				w = cmd.ErrOrStderr()
			}
			fmt.Fprintln(w)
			return printComparison(w, prev, r)
		},
	}
	cmd.Flags().IntVar(&o.members, "members", 10, "members in the federation")
	cmd.Flags().BoolVar(&o.json, "json", false, "print JSON instead of a table")
	cmd.Flags().StringVar(&o.compare, "compare", "", "print each figure beside the same figure of a previous run saved with --json to FILE, with the change in percent")
	cmd.Flags().StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to FILE (go tool pprof)")
	cmd.Flags().StringVar(&o.mutexProfile, "mutexprofile", "", "write where goroutines waited during the run: lock contention to FILE, blocking (channels, locks, select) to FILE.block (go tool pprof)")
	cmd.Flags().StringVar(&o.signing, "message-signing", "none", "catalog: GossipSub message signing, strict or none (replication.message_signing)")
	cmd.Flags().StringVar(&o.memProfile, "memprofile", "", "catalog search: write a heap profile to FILE while the listings are held")
	cmd.Flags().StringVar(&o.only, "only", "", "catalog: run only these parts (propagation,catchup,import,edits,search)")
	cmd.Flags().IntVar(&o.catalog.changes, "changes", 1000, "catalog: listing changes to propagate")
	cmd.Flags().IntVar(&o.catalog.rate, "rate", 100, "catalog: listing changes per second during propagation")
	cmd.Flags().IntVar(&o.catalog.catchup, "catchup", 100000, "catalog: changes a rejoining member has missed")
	cmd.Flags().IntVar(&o.catalog.imports, "import", 100000, "catalog: listings to import")
	cmd.Flags().IntVar(&o.catalog.importClients, "import-clients", 1, "catalog: batches of the import sent at once, as a feed tool uploading in parallel would")
	cmd.Flags().IntVar(&o.catalog.editMerchants, "edit-merchants", 8, "catalog: merchants sending one-listing feeds at once in the edits part")
	cmd.Flags().IntVar(&o.catalog.searchDocs, "search-docs", 1000000, "catalog: listings to search over")
	cmd.Flags().IntVar(&o.catalog.reviews, "reviews", 0, "catalog search: reviews whose ratings the storefront's search ranks and filters by; with --campaigns, measured beside the same search without either")
	cmd.Flags().IntVar(&o.catalog.campaigns, "campaigns", 0, "catalog search: campaigns filling the storefront's sponsored slots (3 per page), beside the same search without them")
	cmd.Flags().Float64Var(&o.catalog.chinese, "chinese", 0, "catalog search: the fraction of listings written in Chinese, measured beside an English-only run of the same size (0 to 1)")
	cmd.Flags().StringVar(&o.scale.at, "at", "1000000,2000000", "scale: listing counts at which to measure, increasing, comma-separated")
	cmd.Flags().BoolVar(&o.scale.catchup, "catchup-new", true, "scale: time a new member catching up at each count")
	cmd.Flags().IntVar(&o.scale.wholeUpTo, "whole-upto", 0, "scale: measure the index rebuild and the new member holding every category only at counts up to this (0: at every count)")
	cmd.Flags().StringVar(&o.scale.shards, "shards", "", "scale: also time a new member holding only these top-level categories (catalog.shards), e.g. Electronics,Books, beside one holding all")
	cmd.AddCommand(newBenchIdle())
	return cmd
}

// writeContention writes the mutex profile to path and the block profile
// beside it; a failure is reported, the run's figures stand.
func writeContention(cmd *cobra.Command, path string) {
	for file, name := range map[string]string{path: "mutex", path + ".block": "block"} {
		f, err := os.Create(file)
		if err == nil {
			err = pprof.Lookup(name).WriteTo(f, 0)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintf(cmd.ErrOrStderr(), "writing the %s profile: %v\n", name, err)
		}
	}
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return pprof.WriteHeapProfile(f)
}
