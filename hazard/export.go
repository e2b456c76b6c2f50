package hazard

import (
	"context"
	"time"
)

// MaxExportPeriod is the longest period one export covers.
const MaxExportPeriod = 366 * 24 * time.Hour

// ReportsExport asks for the reports submitted in [Since, Until) and, when
// Department is set, assigned to that department.
type ReportsExport struct {
	Department string
	Since      time.Time
	Until      time.Time
}

// Check reports every problem with q as one CodeInvalid error: both ends
// are required, Until after Since, and the period at most MaxExportPeriod.
func (q ReportsExport) Check(op string) error {
	var p Problems
	q.checkPeriod(&p)
	return p.Err(op)
}

func (q ReportsExport) checkPeriod(p *Problems) {
	switch {
	case q.Since.IsZero():
		p.Add("since", "is required")
	case q.Until.IsZero():
		p.Add("until", "is required")
	case !q.Until.After(q.Since):
		p.Add("until", "must be after since")
	case q.Until.Sub(q.Since) > MaxExportPeriod:
		p.Add("until", "the period is at most %d days", int(MaxExportPeriod/(24*time.Hour)))
	}
}

// ExportReports calls row for each report of q in the user's scope, newest
// first, reading the store a page at a time so that an export of any size
// holds one page in memory. The rows carry nothing of the reporter (no
// identity, no contact: Hazard.ForUnit). It returns how many rows it gave.
//
// Staff may export: a handler or an inspector their
// own department's reports (another department is CodeForbidden on the
// field "department"), the others any department's or, with none named,
// every report. Every export is logged in the access log (an
// EventExported with the number of rows), also one that row's error cut
// short: what was read was read. An error of row is returned as is.
func (s *Service) ExportReports(ctx context.Context, user User, q ReportsExport, row func(Hazard) error) (int, error) {
	const op = "export reports"
	if err := staffOnly(op, user); err != nil {
		return 0, err
	}
	if err := q.Check(op); err != nil {
		return 0, err
	}
	f, ok := scopeFilter(user)
	if !ok {
		return 0, &Error{Code: CodeForbidden, Op: op, Message: "no department to export"}
	}
	switch {
	case f.Department != "" && q.Department != "" && q.Department != f.Department:
		return 0, &Error{Code: CodeForbidden, Op: op, Field: "department", Message: "only your own department's reports"}
	case q.Department != "":
		f.Department = q.Department
	}
	f.CreatedSince, f.CreatedUntil = q.Since.UTC(), q.Until.UTC()
	rows := 0
	err := forEach(ctx, s.store, f, func(h *Hazard) error {
		if err := row(h.ForUnit()); err != nil {
			return err
		}
		rows++
		return nil
	})
	x := ExportLog{Export: "reports", Department: f.Department, Since: f.CreatedSince, Until: f.CreatedUntil, Rows: rows}
	// The entry is written whatever became of the export, with a context
	// of its own: a client that went away does not erase its reading.
	logErr := s.LogExport(context.WithoutCancel(ctx), user, x)
	if err != nil {
		return rows, err
	}
	return rows, logErr
}
