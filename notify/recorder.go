package notify

import (
	"context"
	"maps"
	"sync"
)

// Sent is one message a Recorder accepted.
type Sent struct {
	Channel Channel
	To      Recipient
	Message Message
	// Text is the rendered text when the Recorder has templates.
	Text string
}

// Recorder is an in-memory Notifier for tests and demos: it keeps every
// message it accepts. It is safe for concurrent use.
type Recorder struct {
	channel   Channel
	templates *Templates
	mu        sync.Mutex
	sent      []Sent
}

// NewRecorder returns a Recorder acting as channel ch. When ch is not
// ChannelLog or empty, a recipient without an address on ch is a
// KindPermanent error, as with the real adapter. With templates, each
// message is rendered (a render error is returned) and the text kept.
func NewRecorder(ch Channel, templates *Templates) *Recorder {
	return &Recorder{channel: ch, templates: templates}
}

// Notify implements Notifier.
func (r *Recorder) Notify(ctx context.Context, to Recipient, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if r.channel != "" && r.channel != ChannelLog && to.Address(r.channel) == "" {
		return Permanent(r.channel, "recorder", "recipient has no address on the channel", nil)
	}
	var text string
	if r.templates != nil {
		var err error
		if text, err = r.templates.RenderMessage(to, m); err != nil {
			return err
		}
	}
	to.Addresses = maps.Clone(to.Addresses)
	m.Data = maps.Clone(m.Data)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, Sent{Channel: r.channel, To: to, Message: m, Text: text})
	return nil
}

// Sent returns a copy of the messages accepted so far, in order.
func (r *Recorder) Sent() []Sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Sent(nil), r.sent...)
}

// Reset forgets the messages accepted so far.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = nil
}
