package reward

import (
	"context"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
)

// StatusCounter is an optional capability of a Ledger that counts rewards
// by status natively (with one SQL aggregate, say). CountByStatus counts
// the rewards of every policy issued in [since, until) (a zero since is
// the beginning, a zero until is open) by their status now, with their
// amounts; a status without rewards is absent. Service.Figures uses it
// when the ledger has it, and reads the rewards page by page otherwise;
// rewardtest checks that both agree.
type StatusCounter interface {
	CountByStatus(ctx context.Context, since, until time.Time) (map[Status]Total, error)
}

// Figures are the reward figures a city publishes for a period.
type Figures struct {
	// Issued counts every reward issued, whatever its status now, with
	// the amount issued; Paid those paid out (claimed).
	Issued Total `json:"issued"`
	Paid   Total `json:"paid"`
}

// FiguresOf sums counts by status into Figures.
func FiguresOf(byStatus map[Status]Total) Figures {
	var f Figures
	for _, t := range byStatus {
		f.Issued.Count += t.Count
		f.Issued.Amount += t.Amount
	}
	f.Paid = byStatus[StatusClaimed]
	return f
}

// Figures returns the reward figures of the rewards issued in
// [since, until); zero since and until cover all time. They are public
// (no one is named): they need no user. An until not after a non-zero
// since is CodeInvalid. Without a StatusCounter ledger it reads every
// reward of the period, a page at a time.
func (s *Service) Figures(ctx context.Context, since, until time.Time) (Figures, error) {
	const op = "reward figures"
	if !since.IsZero() && !until.IsZero() && !until.After(since) {
		return Figures{}, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "until", Message: "must be after since"}
	}
	since, until = since.UTC(), until.UTC()
	if c, ok := s.cfg.Ledger.(StatusCounter); ok {
		byStatus, err := c.CountByStatus(ctx, since, until)
		return FiguresOf(byStatus), hazard.Wrap(op, err)
	}
	byStatus, err := CountByStatus(ctx, s.cfg.Ledger, since, until)
	return FiguresOf(byStatus), hazard.Wrap(op, err)
}

// farFuture stands for an open end of a period when a ledger needs one.
var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// CountByStatus counts what StatusCounter.CountByStatus counts by reading
// the ledger's rewards of the period page by page (Ledger.ListIssued): the
// meaning of the capability, and the fallback of ledgers without it.
func CountByStatus(ctx context.Context, l Ledger, since, until time.Time) (map[Status]Total, error) {
	if until.IsZero() {
		until = farFuture
	}
	out := map[Status]Total{}
	p := hazard.Page{Limit: hazard.MaxPageLimit}
	for {
		list, err := l.ListIssued(ctx, since, until, p)
		if err != nil {
			return nil, err
		}
		for _, r := range list.Items {
			t := out[r.Status]
			t.Count++
			t.Amount += r.Amount
			out[r.Status] = t
		}
		if list.Next == "" {
			return out, nil
		}
		p.Cursor = list.Next
	}
}
