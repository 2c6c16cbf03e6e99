package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The importer sends a CSV feed through a real node, shows progress and a
// summary naming rejected lines, and a second run changes nothing.
func TestListingsImportCSV(t *testing.T) {
	root := t.TempDir()
	n := startSolo(t, root)
	s, b, err := n.do("POST", "/v1/merchants", n.token, map[string]string{"name": "Feed Co"})
	var m struct{ Token string }
	if err != nil || s != 201 || json.Unmarshal(b, &m) != nil {
		t.Fatalf("create merchant: %d %s %v", s, b, err)
	}
	tokenFile := filepath.Join(root, "merchant.token")
	if err := os.WriteFile(tokenFile, []byte(m.Token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var csv bytes.Buffer
	csv.WriteString("group,title,category,brand,sku,price,currency,stock,shipping_regions,option:size\n")
	for i := 0; i < 120; i++ {
		for _, size := range []string{"S", "M"} {
			fmt.Fprintf(&csv, "g%d,Linen shirt %d,Apparel > Men > Shirts,Linnea,SH-%d-%s,%d,EUR,%d,DE|FR,%s\n", i, i, i, size, 3990+i, i%4, size)
		}
	}
	csv.WriteString(",Broken row,Home,Brand,BR-1,twelve,EUR,1,DE,\n")
	csv.WriteString(",No brand,Home,,NB-1,1200,EUR,1,DE,\n")
	feed := filepath.Join(root, "feed.csv")
	if err := os.WriteFile(feed, csv.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func() (string, string) {
		var out, errOut bytes.Buffer
		cmd := exec.Command(binary, "listings", "import", feed, "--api", "http://"+n.api, "--token", "@"+tokenFile, "--batch", "50")
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			t.Fatalf("import: %v\n%s%s", err, out.String(), errOut.String())
		}
		return out.String(), errOut.String()
	}
	out, progress := run()
	if !strings.Contains(out, "122 listings") || !strings.Contains(out, "120 created") || !strings.Contains(out, "2 rejected") {
		t.Fatalf("first import summary: %s", out)
	}
	if !strings.Contains(out, "line 242: price") || !strings.Contains(out, "line 243: brand") {
		t.Fatalf("rejections do not name line and field: %s", out)
	}
	if !strings.Contains(progress, "100%") {
		t.Fatalf("no progress shown: %q", progress)
	}
	if out, _ := run(); !strings.Contains(out, "0 created, 0 updated, 120 unchanged") {
		t.Fatalf("second import changed something: %s", out)
	}
}
