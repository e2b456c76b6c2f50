package reward

import (
	"context"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
)

// MayExport reports whether u may export the reward ledger for finance:
// the city safety office (a reviewer) or an administrator.
func MayExport(u hazard.User) bool {
	return u.ID != "" && (u.Role == string(hazard.RoleReviewer) || u.Role == string(hazard.RoleAdmin))
}

// ExportRewards calls row for each reward issued in [since, until) (of any
// status; Reward.Amount.Decimal writes amounts in yuan without floating
// point), newest first, reading the ledger a page at a time. It returns
// how many rows it gave.
//
// Only a reviewer or an administrator may export (MayExport; else
// CodeForbidden); the period is required, since before until and at most
// hazard.MaxExportPeriod (CodeInvalid). Every export is logged in the
// access log (hazard.ExportLog, export "rewards"), so the service needs
// Config.Events: without it an export is refused with CodeInternal. The
// entry is written also when row's error cut the export short; an error of
// row is returned as is.
func (s *Service) ExportRewards(ctx context.Context, user hazard.User, since, until time.Time, row func(Reward) error) (int, error) {
	const op = "export rewards"
	if user.ID == "" || user.Role == "" {
		return 0, &hazard.Error{Code: hazard.CodeUnauthenticated, Op: op, Message: "sign in first"}
	}
	if !MayExport(user) {
		return 0, &hazard.Error{Code: hazard.CodeForbidden, Op: op, Message: "the city safety office and administrators only"}
	}
	if err := (hazard.ReportsExport{Since: since, Until: until}).Check(op); err != nil {
		return 0, err
	}
	if s.cfg.Events == nil {
		return 0, &hazard.Error{Code: hazard.CodeInternal, Op: op, Message: "no event log to record the export in"}
	}
	since, until = since.UTC(), until.UTC()
	rows := 0
	err := func() error {
		p := hazard.Page{Limit: hazard.MaxPageLimit}
		for {
			l, err := s.cfg.Ledger.ListIssued(ctx, since, until, p)
			if err != nil {
				return hazard.Wrap(op, err)
			}
			for _, r := range l.Items {
				if err := row(r); err != nil {
					return err
				}
				rows++
			}
			if l.Next == "" {
				return nil
			}
			p.Cursor = l.Next
		}
	}()
	e := hazard.ExportLog{Export: "rewards", Since: since, Until: until, Rows: rows}.Event(user, s.now())
	_, logErr := s.cfg.Events.Append(context.WithoutCancel(ctx), e)
	if err != nil {
		return rows, err
	}
	return rows, hazard.Wrap(op, logErr)
}
