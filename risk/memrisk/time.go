package memrisk

import "time"

func unixDay(sec int64) time.Time { return time.Unix(sec, 0).UTC() }
