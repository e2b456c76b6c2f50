package memstore_test

import (
	"testing"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/hazard/memstore"
)

func TestUploads(t *testing.T) {
	hazardtest.TestUploads(t, func(*testing.T) hazard.Uploads { return memstore.NewUploads() })
}
