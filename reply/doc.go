// Package reply keeps response templates: prepared public notes that
// staff pick for an action on a report (per action, state and category,
// in Chinese and English, with placeholders such as {ref}), edit and send
// as the action's public note. Admins manage them; every change is a new
// version, earlier versions are kept, and every change is an event of the
// template's subject (SubjectTemplate) in the one event log.
//
// Errors are *hazard.Error with a code. Templates are values: stores copy
// them in and out. A Service and the stores are safe for concurrent use.
// Stores pass replytest.TestStore: memreply here, pgstore's ReplyStore
// for PostgreSQL.
package reply
