// Package notify delivers the messages of the closed loop: to the reporter
// (received, dispatched, resolved, closed, rewards), to the assigned
// department (new task, returned, overdue) and to supervisors (督办).
//
// A Notifier has one method, Notify(ctx, recipient, message), and delivers
// one channel-neutral Message (a template key, its data, an idempotency key,
// a locale) to one Recipient. Fan-out belongs to dispatchers: FanOut (every
// notifier, with per-notifier results), Fallback (the next channel when one
// fails finally for the recipient, e.g. WeChat then SMS) and the Router, a
// relay consumer that maps hazard and reward events to recipients and
// templates, honouring each user's channel preferences and opt-outs.
//
// The Router names no state or action: who is told of which step of a
// hazard's process, with which template, is what the process declares
// (hazard.Notice, read through RouterConfig.Processes), so an integrator's
// own process gets notices from its declarations alone. Templates take the
// names of states and actions from the definition's labels; Templates.Check
// tells at start-up whether every notice of the processes has a text.
//
// # Errors
//
// Adapters return *Error values with a Kind: permanent (final for that
// recipient on that channel), temporary, rate-limited (with the RetryAfter
// the service asked for) or credentials. Retryable, Final and RetryAfter
// read them through wrapping and joined errors; Retry retries only what is
// retryable, with exponential backoff and jitter, honouring RetryAfter and
// the context. Configuration and template problems are hazard CodeInvalid
// errors reported at start-up (NewTemplates, NewWeChat...), never at send
// time.
//
// # Delivery
//
// Delivery is at least once: a DeliveryLog records each delivered
// idempotency key and drops a message whose key it holds, so that an event
// redelivered by the relay after a crash sends nothing twice. Keys name
// their recipient by KeyPart; a log that is a hazard.Forgetter (MemoryLog,
// pgstore's) rewrites an erased person's deliveries under the pseudonym
// with ForgetDelivery, so that a redelivery is still dropped and no key
// names the person.
//
// # Adapters
//
// WeChat (mini-program subscribe messages), SMS (an HTTP gateway), Webhook
// (signed JSON), LogNotifier (slog, addresses masked) and Recorder (in
// memory, for tests and demos); Discard drops everything. All are safe for
// concurrent use. No adapter logs a phone number, openid or name in clear.
package notify
