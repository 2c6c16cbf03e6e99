package console

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/shipping"
	"github.com/fedmart/fedmart/node/web"
)

// Problems shipping.Check finds are named by paths of the catalog's
// input (zones[1].rates[0].transit_days.max); the console puts each next
// to the input of the form row it came from, and says it in words that
// name the zone and the rate.

// Messages of shipping.Check the console says in its own words.
var (
	overlapMsg  = regexp.MustCompile(`^(\S+) is already in zones\[(\d+)\]\.(?:countries|regions)\[\d+\]: zones must not overlap$`)
	transitMsg  = regexp.MustCompile(`^must be >= min \((\d+)\), not (-?\d+)$`)
	bandFromMsg = regexp.MustCompile(`^must be (\d+), where the band before ends`)
	countMsg    = regexp.MustCompile(`^must (?:have|name) between 1 and \d+ .*, not 0$`)
)

// addShippingErrors puts the problems of a *catalog.ValidationError next
// to the inputs of the rows si read; it reports false for any other
// error.
func addShippingErrors(f *web.Form, err error, si shippingInput) bool {
	var ve *catalog.ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	for _, fe := range ve.Errors {
		input, msg := shippingProblem(fe.Field, fe.Message, si)
		if input == "" {
			msg = si.l.T("console.ship.path_problem", "Path", fe.Field, "Problem", problemIn(si.l, fe.Message))
		}
		f.Add(input, msg)
	}
	return true
}

// shippingProblem is the input a problem at path belongs to and what to
// say there, in si's language; a problem of no input ("") is said by
// the caller.
func shippingProblem(path, msg string, si shippingInput) (input, text string) {
	l := si.l
	say := func(id, row string) string { return l.T(id, "Row", row, "Problem", problemIn(l, msg)) }
	name, index, rest := splitPath(path)
	switch {
	case name == "name":
		return "name", l.T("console.ship.name_problem", "Problem", problemIn(l, msg))
	case name == "zones" && index == "":
		if countMsg.MatchString(msg) {
			return "zones", l.T("console.ship.zones_required")
		}
		return "zones", l.T("console.ship.zones_problem", "Problem", problemIn(l, msg))
	case name != "zones":
		return "", ""
	}
	i, err := strconv.Atoi(index)
	if err != nil || i < 0 || i >= len(si.zoneRow) {
		return "", ""
	}
	z, zone := si.zoneRow[i], si.in.Zones[i]
	key, ctx := zoneKey(z), zoneLabel(l, si.zoneRow[i], zone.Name)
	field, _, _ := splitPath(rest)
	switch field {
	case "name":
		return key + ".name", say("console.ship.zone_name_problem", ctx)
	case "countries", "regions":
		input := key + "." + field
		if m := overlapMsg.FindStringSubmatch(msg); m != nil {
			other, _ := strconv.Atoi(m[2])
			return input, l.T("console.ship.overlap", "Row", ctx, "Place", placeName(si.tag, m[1]), "Other", otherZone(si, other))
		}
		if countMsg.MatchString(msg) {
			return key + ".countries", l.T("console.ship.countries_required", "Row", ctx)
		}
		return input, say("console.ship.row_problem", ctx)
	case "rates":
		return rateProblem(path, rest, msg, si, i, key, ctx)
	}
	return "", ""
}

// rateProblem places a problem of zones[i].rates or one of its rates.
func rateProblem(path, rest, msg string, si shippingInput, i int, key, ctx string) (input, text string) {
	_, index, sub := splitPath(rest)
	l := si.l
	say := func(id, row string) string { return l.T(id, "Row", row, "Problem", problemIn(l, msg)) }
	if index == "" {
		if countMsg.MatchString(msg) {
			return key + ".rates", l.T("console.ship.rates_required", "Row", ctx)
		}
		return key + ".rates", say("console.ship.rates_problem", ctx)
	}
	j, err := strconv.Atoi(index)
	if err != nil || j < 0 || j >= len(si.rateRow[i]) {
		return "", ""
	}
	rate := si.in.Zones[i].Rates[j]
	rkey := fmt.Sprintf("%s.rates[%d]", key, si.rateRow[i][j])
	rctx := rateLabel(l, ctx, si.rateRow[i][j], rate.Name)
	field, bandIndex, bandField := splitPath(sub)
	switch field {
	case "name":
		if strings.HasPrefix(msg, "repeats ") {
			return rkey + ".name", l.T("console.ship.rate_name_repeats", "Row", rctx)
		}
		return rkey + ".name", say("console.ship.rate_name_problem", rctx)
	case "flat", "per_item":
		return rkey + ".amount", say("console.ship.price_problem", rctx)
	case "free_over":
		return rkey + ".free_over", say("console.ship.free_from_problem", rctx)
	case "transit_days":
		if m := transitMsg.FindStringSubmatch(msg); m != nil && bandIndex == "" && sub == "transit_days.max" {
			return rkey + ".transit_days.max", l.T("console.ship.transit_order", "Row", rctx, "Max", m[2], "Min", m[1])
		}
		which := "fewest"
		if strings.HasSuffix(sub, ".max") {
			which = "most"
		}
		return rkey + "." + sub, say("console.ship.transit_problem_"+which, rctx)
	case "weight_bands":
		return rkey + ".weight_bands", bandProblem(l, rctx, bandIndex, bandField, msg, rate.Bands)
	case "carriers":
		return rkey + ".carriers", say("console.ship.carrier_problem", rctx)
	}
	return "", ""
}

// bandProblem says a problem of weight band index (a line of the
// textarea) in words.
func bandProblem(l words, rctx, index, field, msg string, bands []shipping.Band) string {
	k, err := strconv.Atoi(index)
	if err != nil || k < 0 || k >= len(bands) {
		return l.T("console.ship.bands_problem", "Row", rctx, "Problem", problemIn(l, msg))
	}
	b := bands[k]
	switch {
	case field == "from_grams" && k == 0:
		return l.T("console.ship.band_first", "Row", rctx, "From", b.From)
	case field == "from_grams":
		if m := bandFromMsg.FindStringSubmatch(msg); m != nil {
			return l.T("console.ship.band_gap", "Row", rctx, "N", k+1, "Start", m[1], "Before", k, "From", b.From)
		}
	case field == "to_grams" && b.To <= b.From:
		return l.T("console.ship.band_end", "Row", rctx, "N", k+1, "From", b.From)
	case field == "amount":
		return l.T("console.ship.band_price", "Row", rctx, "N", k+1, "Problem", problemIn(l, msg))
	}
	return l.T("console.ship.band_problem", "Row", rctx, "N", k+1, "Field", strings.ReplaceAll(field, "_", " "), "Problem", problemIn(l, msg))
}

// otherZone names the catalog's zones[i] as the form shows it, within a
// sentence.
func otherZone(si shippingInput, i int) string {
	if i < 0 || i >= len(si.zoneRow) {
		return si.l.T("console.ship.other_zone_n", "N", i+1)
	}
	if name := strings.TrimSpace(si.in.Zones[i].Name); name != "" {
		return si.l.T("console.ship.other_zone_named", "N", si.zoneRow[i]+1, "Name", name)
	}
	return si.l.T("console.ship.other_zone_n", "N", si.zoneRow[i]+1)
}

// placeName names a country in the language tag ("Germany (DE)",
// "德国 (DE)") or a region code.
func placeName(tag, code string) string {
	if len(code) == 2 {
		if n := countryName(tag, code); n != code {
			return n + " (" + code + ")"
		}
	}
	return code
}
