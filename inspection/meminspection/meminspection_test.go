package meminspection_test

import (
	"testing"

	"github.com/hazardloop/hazardloop/hazard/memstore"
	"github.com/hazardloop/hazardloop/inspection/inspectiontest"
	"github.com/hazardloop/hazardloop/inspection/meminspection"
)

func TestStore(t *testing.T) {
	inspectiontest.TestStore(t, func(t *testing.T) inspectiontest.Harness {
		log := memstore.New()
		return inspectiontest.Harness{Store: meminspection.New(log), Log: log}
	})
}
