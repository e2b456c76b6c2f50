// Package follow lets citizens stay with the reports of others instead of
// filing duplicates: "me too" on an open report nearby (counted once per
// citizen on the plaza, never naming who), following any public report to
// get its public updates on their channels, and watching areas (a circle
// around a point, or a district) for new reports. Subscriptions are capped
// per citizen (Config.MaxFollows, Config.MaxAreas) and so are the messages
// a citizen gets per day (Config.MessagesPerDay); every message carries a
// signed link that unsubscribes in one step, with no login (Token,
// Unsubscribe).
//
// Service holds the use cases; Store is the port of follows and areas,
// pinned by followtest.TestStore and implemented by memfollow (and pgstore
// in its own module). A me-too is an event of the one log
// (hazard.EventMeToo), written in the same atomic step as the follow that
// keeps it from counting twice. The alerts are a relay consumer
// (Service.Consumer) that delivers through notify's router, so that the
// channels, the delivery log and the users' preferences are those of every
// other message. Service.ForgetUser forgets an erased citizen: their
// follows and areas are deleted through a store that is a
// hazard.Forgetter (memfollow's, pgstore's), their me-toos stay counted.
//
// Errors are *hazard.Error with a code. Values are copied in and out of
// stores. Everything here is safe for concurrent use.
package follow
