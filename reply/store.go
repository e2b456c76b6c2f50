package reply

import (
	"context"

	"github.com/hazardloop/hazardloop/hazard"
)

// Store keeps every version of every template. It is the port storage
// adapters implement; replytest.TestStore pins each promise. Templates are
// copied in and out; a Store is safe for concurrent use; errors are
// *hazard.Error with a code, and on error nothing is stored.
type Store interface {
	// Save stores t as version expectedVersion+1 of the template t.ID when
	// its latest version is expectedVersion (0: the template is new),
	// keeping every earlier version, and appends events (each of the
	// template's subject, Subject) to the event log, in one atomic step.
	// It returns the stored template. An invalid template or event is
	// CodeInvalid; another latest version is CodeConflict with
	// Error.Version the latest; a new template past MaxTemplates, or a
	// version past MaxVersions, is CodeRateLimited.
	Save(ctx context.Context, t Template, expectedVersion int64, events []hazard.Event) (Template, error)

	// Get returns the latest version of the template id, deleted or not,
	// or CodeNotFound.
	Get(ctx context.Context, id string) (Template, error)

	// List returns the latest version of every template that is not
	// deleted, by ID.
	List(ctx context.Context) ([]Template, error)

	// Versions returns every version of the template id, oldest first, or
	// CodeNotFound when it has none.
	Versions(ctx context.Context, id string) ([]Template, error)
}
