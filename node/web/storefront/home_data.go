package storefront

// The home page tells search engines who runs the storefront
// (schema.org Organization) and how to search it (WebSite with a
// SearchAction, which lets a search engine offer the storefront's own
// search box under its result).

// homeData is the home page's JSON-LD: the Organization and the
// WebSite, as one list.
func (sf *Storefront) homeData() []any {
	home := sf.site.AbsURL("/")
	org := map[string]any{"@context": "https://schema.org", "@type": "Organization", "@id": home + "#organization",
		"name": sf.site.Name(), "url": home, "logo": sf.site.AbsURL(sf.site.AssetURL("apple-touch-icon.png"))}
	site := map[string]any{"@context": "https://schema.org", "@type": "WebSite", "@id": home + "#website",
		"name": sf.site.Name(), "url": home, "publisher": map[string]any{"@id": home + "#organization"},
		"potentialAction": map[string]any{"@type": "SearchAction",
			"target":      map[string]any{"@type": "EntryPoint", "urlTemplate": sf.site.AbsURL("/search?q={search_term_string}")},
			"query-input": "required name=search_term_string"}}
	return []any{org, site}
}
