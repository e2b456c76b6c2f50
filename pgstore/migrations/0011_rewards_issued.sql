-- Finance exports the rewards issued in a period (reward.Ledger.ListIssued):
-- read by issue time, not by scanning the ledger.
CREATE INDEX rewards_issued ON rewards (issued_ns, id);
