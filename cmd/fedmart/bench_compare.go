package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
)

// readReport reads a report that bench wrote with --json.
func readReport(path string) (report, error) {
	var r report
	b, err := os.ReadFile(path)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("--compare %s: not a bench --json report: %w", path, err)
	}
	if len(r.Figures) == 0 {
		return r, fmt.Errorf("--compare %s: the report holds no figures", path)
	}
	return r, nil
}

// figureKey identifies a figure across runs: its name and how many
// figures before it had the same name (several parts may each report a
// "same, p99").
type figureKey struct {
	name string
	nth  int
}

func figureKeys(fs []figure) []figureKey {
	seen := make(map[string]int)
	keys := make([]figureKey, len(fs))
	for i, f := range fs {
		keys[i] = figureKey{f.Name, seen[f.Name]}
		seen[f.Name]++
	}
	return keys
}

// printComparison prints each figure of now beside the same figure of
// prev, with the change in percent; figures only one run has show "-"
// for the other.
func printComparison(w io.Writer, prev, now report) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "scenario %s: previous run %s, this run %s\t\t\t\n", now.Scenario, prev.When.Format("2006-01-02 15:04 UTC"), now.When.Format("2006-01-02 15:04 UTC"))
	if prev.Scenario != now.Scenario {
		fmt.Fprintf(tw, "(the previous run is of scenario %s)\t\t\t\n", prev.Scenario)
	}
	fmt.Fprintln(tw, "figure\tprevious\tnow\tchange")
	before := make(map[figureKey]figure, len(prev.Figures))
	for i, k := range figureKeys(prev.Figures) {
		before[k] = prev.Figures[i]
	}
	for i, k := range figureKeys(now.Figures) {
		f := now.Figures[i]
		p, ok := before[k]
		delete(before, k)
		old, change := "-", "-"
		if ok {
			old = fmt.Sprintf("%.3f %s", p.Value, p.Unit)
			if p.Value != 0 && p.Unit == f.Unit {
				change = fmt.Sprintf("%+.1f%%", 100*(f.Value-p.Value)/p.Value)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%.3f %s\t%s\n", f.Name, old, f.Value, f.Unit, change)
	}
	for i, k := range figureKeys(prev.Figures) {
		if p, ok := before[k]; ok {
			fmt.Fprintf(tw, "%s\t%.3f %s\t-\t-\n", prev.Figures[i].Name, p.Value, p.Unit)
		}
	}
	return tw.Flush()
}
