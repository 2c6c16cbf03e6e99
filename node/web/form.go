package web

import "strings"

// Form is what a visitor typed into one form and what is wrong with it,
// by input name. Pages render each input from Field, which carries the
// errors to show next to it; errors tied to no input, and a summary that
// links to every invalid input, go above the form.
type Form struct {
	values  map[string]string
	errs    map[string][]string
	order   []string // input names with errors, first error first
	general []string // errors tied to no input
}

// Field is one input as a template renders it.
type Field struct {
	// Name is the input's name attribute.
	Name string
	// ID is the input's id, which its label's for attribute names.
	ID string
	// ErrID is the id of its error text, for aria-describedby.
	ErrID string
	// Value is what the input shows.
	Value string
	// Errors are the problems to show next to it.
	Errors []string
	// Label, Hint, Mode (the inputmode attribute) and Autocomplete (the
	// autocomplete token) are set by Input, WithMode and WithAutocomplete
	// for the shared input partials.
	Label, Hint, Mode, Autocomplete string
}

// HintID is the id of the field's hint.
func (fl Field) HintID() string { return fl.ID + "-hint" }

// DescribedBy is the field's aria-describedby: its hint and its errors.
func (fl Field) DescribedBy() string {
	var ids []string
	if fl.Hint != "" {
		ids = append(ids, fl.HintID())
	}
	if len(fl.Errors) > 0 {
		ids = append(ids, fl.ErrID)
	}
	return strings.Join(ids, " ")
}

// WithMode returns the field with an inputmode ("decimal", "numeric").
func (fl Field) WithMode(mode string) Field {
	fl.Mode = mode
	return fl
}

// WithAutocomplete returns the field with an autocomplete token ("name",
// "postal-code"), so that browsers fill it in.
func (fl Field) WithAutocomplete(token string) Field {
	fl.Autocomplete = token
	return fl
}

// SummaryItem is one line of the error summary, linking to its input.
type SummaryItem struct {
	Href    string
	Message string
}

// NewForm returns an empty form.
func NewForm() *Form {
	return &Form{values: map[string]string{}, errs: map[string][]string{}}
}

// Set sets what input name shows.
func (f *Form) Set(name, value string) { f.values[name] = value }

// Value is what input name shows.
func (f *Form) Value(name string) string { return f.values[name] }

// Add records a problem with input name; "" ties it to no input.
func (f *Form) Add(name, msg string) {
	if name == "" {
		f.general = append(f.general, msg)
		return
	}
	if _, seen := f.errs[name]; !seen {
		f.order = append(f.order, name)
	}
	f.errs[name] = append(f.errs[name], msg)
}

// OK reports whether the form has no problems.
func (f *Form) OK() bool { return len(f.errs) == 0 && len(f.general) == 0 }

// Field returns input name for a template.
func (f *Form) Field(name string) Field {
	id := InputID(name)
	return Field{Name: name, ID: id, ErrID: id + "-error", Value: f.values[name], Errors: f.errs[name]}
}

// Input returns input name with its label and hint, for the shared
// "text-field" and "area-field" partials.
func (f *Form) Input(name, label, hint string) Field {
	fl := f.Field(name)
	fl.Label, fl.Hint = label, hint
	return fl
}

// General are the problems tied to no input.
func (f *Form) General() []string { return f.general }

// Summary lists every input's problems, in the order they were found.
func (f *Form) Summary() []SummaryItem {
	var out []SummaryItem
	for _, name := range f.order {
		for _, msg := range f.errs[name] {
			out = append(out, SummaryItem{Href: "#" + InputID(name), Message: msg})
		}
	}
	return out
}

// InputID turns an input name such as "variants[0].price" into an HTML id
// ("f-variants-0-price").
func InputID(name string) string {
	var b strings.Builder
	b.WriteString("f-")
	dash := false
	for _, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_'
		switch {
		case ok:
			b.WriteRune(r)
			dash = false
		case !dash:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// Choice is one <option> of a select, or one of a set of radio buttons.
type Choice struct {
	Value, Label string
	Selected     bool
}

// WithErrorsOf adds to f the problems g shows next to input, and returns f.
func (f *Form) WithErrorsOf(g *Form, input string) *Form {
	for _, msg := range g.errs[input] {
		f.Add(input, msg)
	}
	return f
}

// WithoutErrors returns a form that shows what f shows, without its
// problems.
func (f *Form) WithoutErrors() *Form {
	g := NewForm()
	g.values = f.values
	return g
}
