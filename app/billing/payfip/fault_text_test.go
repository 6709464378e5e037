package payfip

import "testing"

// A fault's text, for the logs and the reconciliation report, takes the
// most precise message PayFiP gives (descriptif, then libellé, then the
// SOAP fault string) and its functional code when there is one.
func TestFaultTextTakesTheMostPreciseMessage(t *testing.T) {
	for _, c := range []struct {
		name  string
		fault Fault
		want  string
	}{
		{"code and descriptif", Fault{Code: "P1", Descriptif: "idOp inconnu", Libelle: "l", FaultString: "f"}, "payfip: fault P1: idOp inconnu"},
		{"libellé when no descriptif", Fault{Code: "R3", Libelle: "service indisponible", FaultString: "f"}, "payfip: fault R3: service indisponible"},
		{"SOAP fault string alone", Fault{FaultString: "S:Server"}, "payfip: fault: S:Server"},
		{"nothing said", Fault{}, "payfip: fault: "},
	} {
		if got := c.fault.Error(); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
