package server

import (
	"context"

	"github.com/hazardloop/hazardloop/hazard"
)

// openPostgres opens the PostgreSQL store named by url. The seam for the
// pgstore module: until it is wired in, a database URL is refused.
func openPostgres(_ context.Context, _ string) (hazard.Store, func() error, error) {
	return nil, nil, &hazard.Error{Code: hazard.CodeInvalid, Field: "database_url",
		Message: "PostgreSQL support requires the pgstore module, which this build does not include yet: run without -database-url (DATABASE_URL) to use the in-memory store"}
}
