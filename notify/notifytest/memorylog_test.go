package notifytest_test

import (
	"testing"

	"github.com/hazardloop/hazardloop/notify"
	"github.com/hazardloop/hazardloop/notify/notifytest"
)

func TestMemoryLog(t *testing.T) {
	t.Run("DefaultSize", func(t *testing.T) {
		notifytest.TestDeliveryLog(t, func(t *testing.T) notify.DeliveryLog { return notify.NewMemoryLog(0) })
	})
	t.Run("SmallestSize", func(t *testing.T) {
		notifytest.TestDeliveryLog(t, func(t *testing.T) notify.DeliveryLog { return notify.NewMemoryLog(notifytest.MinKeys) })
	})
}

func TestMemoryLogRetention(t *testing.T) {
	notifytest.TestRetention(t, func(t *testing.T) notify.DeliveryLog { return notify.NewMemoryLog(0) })
}
