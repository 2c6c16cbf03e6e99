// Package shipping holds the rules by which a merchant ships, as its home
// node publishes them: shipping profiles with zones of countries and the
// rates that apply in each, the table of carriers with their tracking
// links, and the arithmetic every node runs on them.
//
// The package is plain Go over values: the catalog signs, stores and
// replicates profiles like listings; a storefront quotes a cart from its
// replicated copy (Quote); the home node quotes again from its own current
// copy at reserve and is the only authority on the price, as for item
// prices.
//
// # Rates
//
// A zone is a set of countries (ISO 3166-1 alpha-2) and of regions
// (ISO 3166-2, such as "ES-CN"); a destination falls in the zone that names
// its region, else in the one that names its country, and zones of one
// profile never overlap. A rate prices one order part:
//
//	price = 0                                    when FreeOver > 0 and subtotal >= FreeOver
//	price = Flat + PerItem × units + band(weight) otherwise
//
// where band(weight) is the amount of the weight band holding the part's
// total weight (bands are contiguous from 0 g; a part heavier than the last
// band cannot use the rate). Amounts are int64 minor units of the
// federation's currency; nothing is ever rounded, because nothing is ever
// divided.
//
// # Dates
//
// An estimate counts business days (Monday to Friday, in UTC) from the day
// of the order: the merchant's handling days, then the rate's transit days
// (Deliveries).
package shipping
