package console

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/shipping"
	"github.com/fedmart/fedmart/node/web"
)

// The shipping profile form works without JavaScript. Its inputs are
// named after the catalog's paths (zones[1].rates[0].name), so that what
// shipping.Check finds lands next to its input. A zone's countries are
// ticked in lists by continent and its ISO 3166-2 regions typed; a rate
// has a kind (flat per part, per item, by weight), a price, weight bands
// typed one per line ("0-1000 4.90"), an optional threshold above which
// it is free, its transit days and its carriers, ticked from the table.
// "Add a zone" and "Add a rate" re-render the form with one more empty
// row and save nothing; a ticked "Remove" drops its row, and a row left
// blank is skipped.
//
// Each render numbers the rows it shows from 0, so that the posted names
// are the rows of the last render; the catalog's zones[i] is the row
// zoneRow[i] (blank rows are skipped), and its zones[i].rates[j] is the
// row rateRow[i][j].

// Rate kinds as the form offers them.
const (
	kindFlat    = "flat"
	kindPerItem = "per_item"
	kindWeight  = "weight"
)

// rateKinds are the kinds the form offers, labelled by their messages'
// ids.
var rateKinds = []web.Choice{
	{Value: kindFlat, Label: "console.ship.kind_flat"},
	{Value: kindPerItem, Label: "console.ship.kind_per_item"},
	{Value: kindWeight, Label: "console.ship.kind_weight"},
}

// shippingInput is a posted shipping profile form.
type shippingInput struct {
	in      catalog.ShippingProfileInput
	def     bool    // make it the merchant's default
	rates   []int   // the rate rows of each zone row shown
	zoneRow []int   // the row of the catalog's zones[i]
	rateRow [][]int // the row of the catalog's zones[i].rates[j]
	// l is the page's language, tag its tag: what problems are said in.
	l   words
	tag string
}

// zoneKey and rateKey name a row's inputs.
func zoneKey(z int) string    { return fmt.Sprintf("zones[%d]", z) }
func rateKey(z, r int) string { return fmt.Sprintf("zones[%d].rates[%d]", z, r) }

// Caps on the rows a posted form is read for: the largest limits any node
// may configure.
var (
	maxZoneRows = shipping.MaxLimits().MaxZones
	maxRateRows = shipping.MaxLimits().MaxRates
)

// readShippingForm reads a posted shipping profile form into f, its rows
// numbered again without the removed ones, its problems said in l's
// language (whose tag is tag); the catalog checks the rest.
func readShippingForm(l words, tag string, pf url.Values, currency string, f *web.Form) shippingInput {
	si := shippingInput{l: l, tag: tag}
	si.in.Name = strings.TrimSpace(pf.Get("name"))
	f.Set("name", pf.Get("name"))
	si.def = pf.Get("default") != ""
	if si.def {
		f.Set("default", "1")
	}
	for i := 0; i < maxZoneRows; i++ {
		from := zoneKey(i)
		if _, ok := pf[from+".name"]; !ok {
			break
		}
		if pf.Get(from+".remove") != "" {
			continue
		}
		z := len(si.rates)
		si.rates = append(si.rates, 0)
		zone, rows, blank := readZone(l, pf, from, z, currency, f, &si.rates[z])
		if add := pf.Get("add_rate"); add == strconv.Itoa(i) {
			si.rates[z]++
		}
		if !blank {
			si.in.Zones = append(si.in.Zones, zone)
			si.zoneRow = append(si.zoneRow, z)
			si.rateRow = append(si.rateRow, rows)
		}
	}
	if pf.Has("add_zone") {
		si.rates = append(si.rates, 1)
	}
	return si
}

// readZone reads the zone posted as from into row z of f; n counts the
// rate rows it shows, rows maps its rates to them.
func readZone(l words, pf url.Values, from string, z int, currency string, f *web.Form, n *int) (zone shipping.Zone, rows []int, blank bool) {
	to := zoneKey(z)
	zone.Name = strings.TrimSpace(pf.Get(from + ".name"))
	f.Set(to+".name", pf.Get(from+".name"))
	zone.Countries = slices.Compact(slices.Sorted(slices.Values(upperAll(pf[from+".countries"]))))
	f.Set(to+".countries", strings.Join(zone.Countries, " "))
	regions := pf.Get(from + ".regions")
	f.Set(to+".regions", regions)
	zone.Regions = strings.Fields(strings.ToUpper(strings.ReplaceAll(regions, ",", " ")))
	blank = zone.Name == "" && len(zone.Countries) == 0 && len(zone.Regions) == 0
	for j := 0; j < maxRateRows; j++ {
		rfrom := fmt.Sprintf("%s.rates[%d]", from, j)
		if _, ok := pf[rfrom+".name"]; !ok {
			break
		}
		if pf.Get(rfrom+".remove") != "" {
			continue
		}
		r := *n
		*n++
		rate, rateBlank := readRate(l, pf, rfrom, rateKey(z, r), currency, rateLabel(l, zoneLabel(l, z, zone.Name), r, pf.Get(rfrom+".name")), f)
		if !rateBlank {
			zone.Rates = append(zone.Rates, rate)
			rows = append(rows, r)
			blank = false
		}
	}
	if *n == 0 {
		*n = 1 // a zone shows at least one rate row
	}
	return zone, rows, blank
}

// upperAll is ss trimmed and in capitals, without empty ones.
func upperAll(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.ToUpper(strings.TrimSpace(s)); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// readRate reads the rate posted as from into the row named to of f;
// ctx names the row in messages. blank is true for a row with nothing
// typed.
func readRate(l words, pf url.Values, from, to, currency, ctx string, f *web.Form) (rate shipping.Rate, blank bool) {
	text := func(name string) string {
		v := strings.TrimSpace(strings.ReplaceAll(pf.Get(from+"."+name), "\r\n", "\n"))
		f.Set(to+"."+name, v)
		return v
	}
	name, kind, amount, bands := text("name"), text("kind"), text("amount"), text("weight_bands")
	free, lo, hi := text("free_over"), text("transit_days.min"), text("transit_days.max")
	rate.Carriers = slices.Compact(slices.Sorted(slices.Values(pf[from+".carriers"])))
	f.Set(to+".carriers", strings.Join(rate.Carriers, " "))
	if name == "" && amount == "" && bands == "" && free == "" && lo == "" && hi == "" && len(rate.Carriers) == 0 {
		return rate, true
	}
	rate.Name = name
	price := func(input, what string) int64 {
		v, err := web.ParseAmount(pf.Get(from+"."+input), currency)
		if err != nil {
			f.Add(to+"."+input, l.T("console.ship.problem", "Row", ctx, "What", l.T(what), "Problem", problemIn(l, err.Error())))
		}
		return v
	}
	switch kind {
	case kindFlat, kindPerItem:
		if amount == "" {
			f.Add(to+".amount", l.T("console.ship.price_required", "Row", ctx))
		} else if kind == kindFlat {
			rate.Flat = price("amount", "console.ship.the_price")
		} else {
			rate.PerItem = price("amount", "console.ship.the_price")
		}
		if bands != "" {
			f.Add(to+".weight_bands", l.T("console.ship.bands_not_weight", "Row", ctx))
		}
	case kindWeight:
		if amount != "" {
			rate.Flat = price("amount", "console.ship.the_price")
		}
		rate.Bands = readBands(l, bands, currency, to+".weight_bands", ctx, f)
	default:
		f.Add(to+".kind", l.T("console.ship.kind_required", "Row", ctx))
	}
	if free != "" {
		rate.FreeOver = price("free_over", "console.ship.the_free_from")
	}
	rate.Transit.Min = transitDays(l, lo, to+".transit_days.min", ctx, "fewest", f)
	rate.Transit.Max = transitDays(l, hi, to+".transit_days.max", ctx, "most", f)
	return rate, false
}

// zoneLabel and rateLabel name a row in messages, in l's language:
// “Zone 2 (EU), rate 1 (Express)”.
func zoneLabel(l words, z int, name string) string {
	if name = strings.TrimSpace(name); name != "" {
		return l.T("console.ship.zone_named", "N", z+1, "Name", name)
	}
	return l.T("console.ship.zone_n", "N", z+1)
}

func rateLabel(l words, zone string, r int, name string) string {
	if name = strings.TrimSpace(name); name != "" {
		return l.T("console.ship.rate_named", "Zone", zone, "N", r+1, "Name", name)
	}
	return l.T("console.ship.rate_n", "Zone", zone, "N", r+1)
}

// transitDays reads a number of business days into input name; which is
// "fewest" or "most".
func transitDays(l words, s, name, ctx, which string, f *web.Form) int {
	if s == "" {
		f.Add(name, l.T("console.ship.transit_required_"+which, "Row", ctx))
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		f.Add(name, l.T("console.ship.transit_whole_"+which, "Row", ctx))
		return 0
	}
	return n
}

// bandLine is one typed weight band: from-to grams and a price.
var bandLine = regexp.MustCompile(`^(\d+)\s*g?\s*[-–]\s*(\d+)\s*g?\s*:?\s+(\S+)$`)

// readBands reads weight bands typed one per line ("0-1000 4.90"). The
// catalog checks that they follow each other without a gap.
func readBands(l words, text, currency, input, label string, f *web.Form) []shipping.Band {
	var out []shipping.Band
	n := 0
	for _, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		n++
		m := bandLine.FindStringSubmatch(line)
		var b shipping.Band
		var err1, err2, err3 error
		if m != nil {
			b.From, err1 = strconv.ParseInt(m[1], 10, 64)
			b.To, err2 = strconv.ParseInt(m[2], 10, 64)
			b.Amount, err3 = web.ParseAmount(m[3], currency)
		}
		if m == nil || err1 != nil || err2 != nil || err3 != nil {
			f.Add(input, l.T("console.ship.band_line", "Row", label, "N", n))
			continue
		}
		out = append(out, b)
	}
	if n == 0 {
		f.Add(input, l.T("console.ship.bands_required", "Row", label))
	}
	return out
}

// formatBands writes bands one per line, as readBands reads them.
func formatBands(bands []shipping.Band, currency string) string {
	lines := make([]string, len(bands))
	for i, b := range bands {
		lines[i] = fmt.Sprintf("%d-%d %s", b.From, b.To, web.FormatAmount(b.Amount, currency))
	}
	return strings.Join(lines, "\n")
}

// fillShippingForm shows a stored profile in f and returns the rate rows
// of each zone.
func fillShippingForm(f *web.Form, p shipping.Profile, currency string, isDefault bool) []int {
	f.Set("name", p.Name)
	if isDefault {
		f.Set("default", "1")
	}
	rates := make([]int, len(p.Zones))
	for i, z := range p.Zones {
		key := zoneKey(i)
		f.Set(key+".name", z.Name)
		f.Set(key+".countries", strings.Join(z.Countries, " "))
		f.Set(key+".regions", strings.Join(z.Regions, " "))
		for j, r := range z.Rates {
			fillRate(f, rateKey(i, j), r, currency)
		}
		rates[i] = max(len(z.Rates), 1)
	}
	return rates
}

// fillRate shows one rate in the row named key. A rate the API made
// with both a per-part and a per-item price shows as per item, its
// per-part price dropped on the next save (the form offers one price).
func fillRate(f *web.Form, key string, r shipping.Rate, currency string) {
	amount := func(v int64) string { return web.FormatAmount(v, currency) }
	f.Set(key+".name", r.Name)
	switch {
	case len(r.Bands) > 0:
		f.Set(key+".kind", kindWeight)
		f.Set(key+".weight_bands", formatBands(r.Bands, currency))
		if r.Flat > 0 {
			f.Set(key+".amount", amount(r.Flat))
		}
	case r.PerItem > 0:
		f.Set(key+".kind", kindPerItem)
		f.Set(key+".amount", amount(r.PerItem))
	default:
		f.Set(key+".kind", kindFlat)
		f.Set(key+".amount", amount(r.Flat))
	}
	if r.FreeOver > 0 {
		f.Set(key+".free_over", amount(r.FreeOver))
	}
	f.Set(key+".transit_days.min", strconv.Itoa(r.Transit.Min))
	f.Set(key+".transit_days.max", strconv.Itoa(r.Transit.Max))
	f.Set(key+".carriers", strings.Join(r.Carriers, " "))
}
