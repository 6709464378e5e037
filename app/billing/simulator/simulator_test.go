package simulator

import (
	"testing"
	"time"
)

func TestCardCheck(t *testing.T) {
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		card      Card
		want      string
		wantField string
	}{
		{"success card with spaces", Card{"4242 4242 4242 4242", "12/27", "123"}, Paid, ""},
		{"refused card", Card{"4000 0000 0000 0002", "11/26", "999"}, Refused, ""},
		{"expiry this month is still valid", Card{"4242424242424242", "11/26", "123"}, Paid, ""},
		{"expired last month", Card{"4242424242424242", "10/26", "123"}, "", "expiry"},
		{"month 13", Card{"4242424242424242", "13/27", "123"}, "", "expiry"},
		{"expiry without slash", Card{"4242424242424242", "1227", "123"}, "", "expiry"},
		{"unknown card", Card{"5555555555554444", "12/27", "123"}, "", "number"},
		{"empty number", Card{"", "12/27", "123"}, "", "number"},
		{"two-digit code", Card{"4242424242424242", "12/27", "12"}, "", "cvc"},
		{"letters in code", Card{"4242424242424242", "12/27", "12a"}, "", "cvc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := tt.card.Check(now)
			if got != tt.want {
				t.Errorf("outcome = %q, want %q (%v)", got, tt.want, errs)
			}
			if tt.wantField != "" && errs[tt.wantField] == "" {
				t.Errorf("no error on %s: %v", tt.wantField, errs)
			}
		})
	}
}
