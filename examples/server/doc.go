// Package server is the hazardloop example server: the whole closed loop of
// public-safety hazard reporting over HTTP, wired from the library's
// packages (hazard, workflow, reward, notify) on in-memory adapters.
//
// It is thin: handlers parse a request, call one use case and encode the
// answer. Rules, authorization of a user on a hazard and state checks live
// in the library, photo uploads included (hazard.Photos sniffs, strips,
// caps, attaches and sweeps them); the server adds identity (phone login
// with one-time codes, real-name verification, signed bearer tokens), route
// access rules, the knowledge section and HTTP concerns.
//
// # Conventions
//
//   - Every route is declared once in the route table ([Routes]) with who
//     may call it ([Access]); the router, the access tests and the OpenAPI
//     description are all made from it.
//   - Every error answer has one shape, {"error": {"code", "message",
//     "field", "fields"}}, with the status of its code from one table
//     ([StatusOf]); internal errors show only "internal error".
//   - Request bodies, uploads, lists and texts have named limits; going
//     over one is a 4xx with a clear code, never a 500 nor a partial write.
//   - A reporter's name, phone and ID number never appear in a public view,
//     a log line or a metric.
//   - A citizen's ID is random, never derived from their phone or WeChat
//     identity. A citizen may delete their account (POST /api/v1/me/erase):
//     the library's hazard.Eraser runs over every store that keeps a
//     person's identifiers, the account first, so that the person's tokens
//     stop working; what stays (reports, paid rewards, events) names a
//     random pseudonym.
//
// [Run] is the testable main: cmd/hazardloop-server only fills a [Config]
// from flags and the environment. A [Server] is safe for concurrent use.
package server
