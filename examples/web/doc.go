// Package web serves hazardloop's mobile-first web pages: the citizen pages
// (home, report, plaza, mine, knowledge) and the staff console (work queue,
// report detail with its actions, department board, articles).
//
// Pages are server-rendered html/template documents. They hold no rule of
// their own: every figure, list and permission comes from the same JSON API
// that other clients use, called in-process with the visitor's token (read
// from the hl_token cookie), and every action is a small, dependency-free
// script calling that API with a Bearer token. Whatever the API refuses, the
// page shows as the API's error, next to the field at fault.
//
// Text is escaped everywhere by html/template: a description holding HTML or
// script shows as text. Chinese is the default language; ?lang=en switches to
// English and remembers the choice in the hl_lang cookie.
package web
