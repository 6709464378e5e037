package admin_test

import (
	"testing"

	"espacefamille/app/admin"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
)

// The back office's list of prestations states the rule the booking check
// applies: a monthly forfait's deadline is counted from the 1st of the
// month, not from each day (issue 13).
func TestPrestationListStatesTheForfaitRuleThatApplies(t *testing.T) {
	d, err := calendar.ParseDeadline("days:7@12:00")
	if err != nil {
		t.Fatal(err)
	}
	row := admin.PrestationRow{Prestation: booking.Prestation{Name: "GARDERIE", Kind: booking.KindForfait,
		ForfaitKind: calendar.ForfaitMonth, Booking: d, Cancel: d}}
	if got, want := row.BookingRule(), "Réservation du forfait jusqu'à 7 jours avant le 1er du mois, 12h00"; got != want {
		t.Errorf("booking rule %q, want %q", got, want)
	}
	if got, want := row.CancelLine(), "Annulation jusqu'à 7 jours avant le 1er du mois, 12h00"; got != want {
		t.Errorf("cancel line %q, want %q", got, want)
	}
	daily := admin.PrestationRow{Prestation: booking.Prestation{Name: "REPAS", Kind: booking.KindDaily, Booking: d, Cancel: d}}
	if got, want := daily.CancelLine(), "Annulation jusqu'à 7 jours avant, 12h00"; got != want {
		t.Errorf("daily cancel line %q, want %q", got, want)
	}
}
