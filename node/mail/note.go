package mail

// Letters of a part's conversation: someone wrote in it. They are
// notifications, not transactional mail (see IsNotification).
const (
	// KindNoteToShopper tells a shopper the merchant of a part wrote to
	// them (data: NoteLetter).
	KindNoteToShopper = "note_to_shopper"
	// KindNoteToMerchant tells a merchant the shopper of a part wrote to
	// them (data: NoteLetter).
	KindNoteToMerchant = "note_to_merchant"
)

// NoteLetter is a message written in a part's conversation.
type NoteLetter struct {
	// Store is the sending node's name; URL the page of the thread.
	Store, URL string
	// To is the reader's name; From the writer's (the merchant's name, or
	// "the shopper").
	To, From string
	Order    string
	Part     string
	// Text is what was written, as it was written (line breaks kept).
	Text string
	// Attachments are the image links it carries.
	Attachments []string
}

func (n NoteLetter) clean() NoteLetter {
	n.Store, n.URL, n.To, n.From, n.Order, n.Part = oneLine(n.Store), oneLine(n.URL), oneLine(n.To), oneLine(n.From), oneLine(n.Order), oneLine(n.Part)
	n.Attachments = lines(n.Attachments)
	return n
}
