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
		f.Add(input, msg)
	}
	return true
}

// shippingProblem is the input a problem at path belongs to and what to
// say there.
func shippingProblem(path, msg string, si shippingInput) (input, text string) {
	name, index, rest := splitPath(path)
	switch {
	case name == "name":
		return "name", "Name " + msg + "."
	case name == "zones" && index == "":
		if countMsg.MatchString(msg) {
			return "zones", "Add at least one zone, with its countries and a rate."
		}
		return "zones", "Zones " + msg + "."
	case name != "zones":
		return "", path + ": " + msg + "."
	}
	i, err := strconv.Atoi(index)
	if err != nil || i < 0 || i >= len(si.zoneRow) {
		return "", path + ": " + msg + "."
	}
	z, zone := si.zoneRow[i], si.in.Zones[i]
	key, ctx := zoneKey(z), zoneLabel(si.zoneRow[i], zone.Name)
	field, _, _ := splitPath(rest)
	switch field {
	case "name":
		return key + ".name", ctx + ": the name " + msg + "."
	case "countries", "regions":
		input := key + "." + field
		if m := overlapMsg.FindStringSubmatch(msg); m != nil {
			other, _ := strconv.Atoi(m[2])
			return input, fmt.Sprintf("%s: %s is already in %s. A destination may be in one zone only.", ctx, placeName(m[1]), otherZone(si, other))
		}
		if countMsg.MatchString(msg) {
			return key + ".countries", ctx + ": tick at least one country, or type a region."
		}
		return input, ctx + ": " + msg + "."
	case "rates":
		return rateProblem(path, rest, msg, si, i, key, ctx)
	}
	return "", path + ": " + msg + "."
}

// rateProblem places a problem of zones[i].rates or one of its rates.
func rateProblem(path, rest, msg string, si shippingInput, i int, key, ctx string) (input, text string) {
	_, index, sub := splitPath(rest)
	if index == "" {
		if countMsg.MatchString(msg) {
			return key + ".rates", ctx + ": add at least one rate."
		}
		return key + ".rates", ctx + ": rates " + msg + "."
	}
	j, err := strconv.Atoi(index)
	if err != nil || j < 0 || j >= len(si.rateRow[i]) {
		return "", path + ": " + msg + "."
	}
	rate := si.in.Zones[i].Rates[j]
	rkey := fmt.Sprintf("%s.rates[%d]", key, si.rateRow[i][j])
	rctx := rateLabel(ctx, si.rateRow[i][j], rate.Name)
	field, bandIndex, bandField := splitPath(sub)
	switch field {
	case "name":
		if strings.HasPrefix(msg, "repeats ") {
			return rkey + ".name", rctx + ": another rate of this zone has this name."
		}
		return rkey + ".name", rctx + ": the name " + msg + "."
	case "flat", "per_item":
		return rkey + ".amount", rctx + ": the price " + msg + "."
	case "free_over":
		return rkey + ".free_over", rctx + ": the amount it is free from " + msg + "."
	case "transit_days":
		if m := transitMsg.FindStringSubmatch(msg); m != nil && bandIndex == "" && sub == "transit_days.max" {
			return rkey + ".transit_days.max", fmt.Sprintf("%s: the most transit days (%s) may not be fewer than the fewest (%s).", rctx, m[2], m[1])
		}
		which := "fewest"
		if strings.HasSuffix(sub, ".max") {
			which = "most"
		}
		return rkey + "." + sub, fmt.Sprintf("%s: the %s transit days %s.", rctx, which, msg)
	case "weight_bands":
		return rkey + ".weight_bands", bandProblem(rctx, bandIndex, bandField, msg, rate.Bands)
	case "carriers":
		return rkey + ".carriers", rctx + ": a carrier " + msg + "."
	}
	return "", path + ": " + msg + "."
}

// bandProblem says a problem of weight band index (a line of the
// textarea) in words.
func bandProblem(rctx, index, field, msg string, bands []shipping.Band) string {
	k, err := strconv.Atoi(index)
	if err != nil || k < 0 || k >= len(bands) {
		return rctx + ": weight bands " + msg + "."
	}
	b := bands[k]
	switch {
	case field == "from_grams" && k == 0:
		return fmt.Sprintf("%s: the first weight band must start at 0 g, not %d g.", rctx, b.From)
	case field == "from_grams":
		if m := bandFromMsg.FindStringSubmatch(msg); m != nil {
			return fmt.Sprintf("%s: weight band %d (line %d) must start at %s g, where band %d ends, not at %d g. Bands may not leave a gap or overlap.",
				rctx, k+1, k+1, m[1], k, b.From)
		}
	case field == "to_grams" && b.To <= b.From:
		return fmt.Sprintf("%s: weight band %d (line %d) must end above where it starts (%d g).", rctx, k+1, k+1, b.From)
	case field == "amount":
		return fmt.Sprintf("%s: the price of weight band %d (line %d) %s.", rctx, k+1, k+1, msg)
	}
	return fmt.Sprintf("%s: weight band %d (line %d): %s %s.", rctx, k+1, k+1, strings.ReplaceAll(field, "_", " "), msg)
}

// otherZone names the catalog's zones[i] as the form shows it.
func otherZone(si shippingInput, i int) string {
	if i < 0 || i >= len(si.zoneRow) {
		return fmt.Sprintf("zone %d", i+1)
	}
	return strings.Replace(zoneLabel(si.zoneRow[i], si.in.Zones[i].Name), "Zone", "zone", 1)
}

// placeName names a country ("Germany (DE)") or a region code.
func placeName(code string) string {
	if len(code) == 2 {
		if n := countryName(code); n != code {
			return n + " (" + code + ")"
		}
	}
	return code
}
