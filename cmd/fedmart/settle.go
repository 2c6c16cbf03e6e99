package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

type settleOptions struct {
	node           *nodeClient
	period, format string
}

func newSettle() *cobra.Command {
	o := settleOptions{node: &nodeClient{}}
	cmd := &cobra.Command{
		Use:   "settle",
		Short: "Close settlement periods and read statements and the netting",
		Long: `settle talks to a node's API with the operator token.

  close   close an ended period now and start reconciling it with every member
  status  the periods and where their statements stand (or one period's
          statements with --period)
  report  a period's netting: every member's net position and the transfers`,
	}
	o.node.flags(cmd, "operator", true)
	p := cmd.PersistentFlags()
	p.StringVar(&o.period, "period", "", "the period, by its UTC start (2026-11-24T14:00:00Z)")
	p.StringVar(&o.format, "format", "table", "table, csv or json")
	cmd.AddCommand(
		&cobra.Command{Use: "close --period P", Short: "Close an ended period and reconcile it", Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error { return settleCall(cmd, o, "close") }},
		&cobra.Command{Use: "status [--period P]", Short: "Periods, or one period's statements", Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error { return settleCall(cmd, o, "status") }},
		&cobra.Command{Use: "report --period P", Short: "The netting of a period", Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error { return settleCall(cmd, o, "report") }},
	)
	return cmd
}

func settleCall(cmd *cobra.Command, o settleOptions, what string) error {
	if o.format != "table" && o.format != "csv" && o.format != "json" {
		return fmt.Errorf("--format: must be table, csv or json, not %q", o.format)
	}
	if o.period == "" && what != "status" {
		return fmt.Errorf("--period: required for settle %s", what)
	}
	base := "/v1/settlement/periods"
	method, path := "GET", base
	switch {
	case what == "close":
		method, path = "POST", base+"/"+url.PathEscape(o.period)+"/close"
	case what == "report":
		path = base + "/" + url.PathEscape(o.period) + "/netting"
	case o.period != "":
		path = base + "/" + url.PathEscape(o.period) + "/statements"
	}
	b, err := o.node.call(cmd, method, path, nil)
	if err != nil {
		return err
	}
	if o.format == "json" {
		_, err = cmd.OutOrStdout().Write(append(b, '\n'))
		return err
	}
	rows, err := settleRows(what, o.period != "", b)
	if err != nil {
		return err
	}
	return writeRows(cmd.OutOrStdout(), o.format, rows)
}

// settleRows turns an answer into a header and rows.
func settleRows(what string, onePeriod bool, b []byte) ([][]string, error) {
	var v struct {
		Period     string
		Status     string
		Periods    []struct{ Period, Start, End, Status string }
		Statements []struct {
			Parties []string
			Status  string
			Count   int
			Digest  string
		}
		Positions []struct {
			PeerID string `json:"peer_id"`
			Name   string
			Net    struct {
				Amount   int64
				Currency string
			}
		}
		Transfers []struct {
			From, To string
			Amount   struct {
				Amount   int64
				Currency string
			}
		}
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("unexpected answer: %s", b)
	}
	switch {
	case what == "close":
		return [][]string{{"period", "status"}, {v.Period, v.Status}}, nil
	case what == "report":
		rows := [][]string{{"kind", "member", "to", "amount", "currency"}}
		for _, p := range v.Positions {
			rows = append(rows, []string{"position", p.Name + " " + p.PeerID, "", fmt.Sprint(p.Net.Amount), p.Net.Currency})
		}
		for _, t := range v.Transfers {
			rows = append(rows, []string{"transfer", t.From, t.To, fmt.Sprint(t.Amount.Amount), t.Amount.Currency})
		}
		return rows, nil
	case onePeriod:
		rows := [][]string{{"parties", "status", "entries", "digest"}}
		for _, s := range v.Statements {
			rows = append(rows, []string{strings.Join(s.Parties, " / "), s.Status, fmt.Sprint(s.Count), s.Digest})
		}
		return rows, nil
	}
	rows := [][]string{{"period", "start", "end", "status"}}
	for _, p := range v.Periods {
		rows = append(rows, []string{p.Period, p.Start, p.End, p.Status})
	}
	return rows, nil
}

func writeRows(w io.Writer, format string, rows [][]string) error {
	if format == "csv" {
		cw := csv.NewWriter(w)
		cw.WriteAll(rows)
		return cw.Error()
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}
