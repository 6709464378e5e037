package calendar

import "testing"

func TestNormalizeDescriptionMarker(t *testing.T) {
	for _, tc := range []struct {
		story, in, want string
		marker          bool
	}{
		{"summer start marker names the holiday", "Début des Vacances d'Été", "Vacances d'Été", true},
		{"lower-case marker, extra spaces", "  début des   vacances d'Été ", "Vacances d'Été", true},
		{"marker without accent", "Debut des Vacances d'Été", "Vacances d'Été", true},
		{"bare marker names no holiday and is skipped", "Début des", "", true},
		{"bare marker with trailing space", "Début des ", "", true},
		{"bare marker without accent", "debut des", "", true},
		{"a plain holiday name is kept", "Vacances de Noël", "Vacances de Noël", false},
	} {
		got, marker := normalizeDescription(tc.in)
		if got != tc.want || marker != tc.marker {
			t.Errorf("%s: normalizeDescription(%q) = %q, %v; want %q, %v", tc.story, tc.in, got, marker, tc.want, tc.marker)
		}
	}
}

func TestOpenDataRowWithABareMarkerIsSkipped(t *testing.T) {
	_, skip, err := openDataRow(2, "Début des", "2028-07-03T22:00:00+00:00", "", "Zone C", "2027-2028")
	if err != nil || !skip {
		t.Fatalf("bare \"Début des\" row: skip=%v err=%v; want skipped, no error", skip, err)
	}
}
