package families

import (
	"strings"
	"testing"
)

func TestParseImportSeparatorAndEncoding(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"semicolon utf-8", []byte("Famille;Enfant prénom;Date de naissance\nFAMILLE É;Zoé;01/02/2018\n")},
		{"comma utf-8 bom", []byte("\xef\xbb\xbfFamille,Enfant prénom,Date de naissance\nFAMILLE É,Zoé,01/02/2018\n")},
		{"semicolon windows-1252", []byte("Famille;Enfant pr\xe9nom;Date de naissance\r\nFAMILLE \xc9;Zo\xe9;01/02/2018\r\n")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file, err := ParseImport(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			rows := file.Rows
			if len(rows) != 1 || !rows[0].OK() || rows[0].Family.Name != "FAMILLE É" || rows[0].Child.FirstName != "Zoé" {
				t.Fatalf("rows = %+v", rows)
			}
		})
	}
	if _, err := ParseImport([]byte("Nom;Prénom\nA;B\n")); err == nil || !strings.Contains(err.Error(), "Famille") {
		t.Fatalf("missing family column: %v", err)
	}
}

func FuzzParseImport(f *testing.F) {
	f.Add([]byte("Référence;Famille;Email;QF;Enfant prénom;Date de naissance;PAI\nF001;FAMILLE HÉLÈNE;helene@example.org;820;Léa;03/04/2016;non\n"))
	f.Add([]byte("Famille,Date de naissance\n\"A,\"\"B\",01/01/2018\n"))
	f.Add([]byte("\xef\xbb\xbfFamille;PAI\nX;oui\n;\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := ParseImport(data)
		if err != nil {
			return
		}
		for _, r := range file.Rows {
			if r.Line < 2 {
				t.Fatalf("line %d", r.Line)
			}
			if r.OK() && strings.TrimSpace(r.Family.Name) == "" {
				t.Fatalf("a row without family name is valid: %+v", r)
			}
		}
	})
}

// The usual titles of a family number column are recognised: "N° famille"
// lost its ° in the folding and the file was accepted without a word.
func TestImportRecognisesFamilyNumberHeaders(t *testing.T) {
	t.Parallel()
	for _, h := range []string{"N° famille", "Nº famille", "N°famille", "No famille", "N° Famille ", "Num. famille", "Numéro de famille",
		"N° dossier", "Référence famille", "Identifiant famille"} {
		t.Run(h, func(t *testing.T) {
			file, err := ParseImport([]byte(h + ";Famille\nF042;MARTIN\n"))
			if err != nil {
				t.Fatal(err)
			}
			if got := file.Rows[0].Family.ExternalRef; got != "F042" || len(file.Ignored) != 0 {
				t.Fatalf("reference %q, ignored %q", got, file.Ignored)
			}
		})
	}
}

func TestQuotientFamilialAsTheCAFPrintsIt(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in string
		want     int64
		ok       bool
	}{
		{"whole euros", "523", 523, true},
		{"decimal comma from a French spreadsheet rounds up", "523,50", 524, true},
		{"decimal point", "523.5", 524, true},
		{"zero cents stay the same bracket", "523,00", 523, true},
		{"thousands with a space", "1 204,10", 1205, true},
		{"thousands with a no-break space", "1\u00a0204", 1204, true},
		{"two separators", "1,204,10", 0, false},
		{"comma without digits after", "523,", 0, false},
		{"negative", "-12", 0, false},
		{"words", "environ 500", 0, false},
		{"above any plausible QF", "2000000", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fam, errs := FamilyForm{Name: "MARTIN", QF: tc.in}.Validate()
			if _, bad := errs["qf"]; bad == tc.ok {
				t.Fatalf("QF %q: errors %v, want ok=%v", tc.in, errs, tc.ok)
			}
			if tc.ok && (!fam.HasQF || fam.QF != tc.want) {
				t.Fatalf("QF %q = %d, want %d", tc.in, fam.QF, tc.want)
			}
		})
	}
}

// An import row whose name holds a line break (Alt+Entrée in Excel) is a
// row error with the same message, not a silently joined name.
func TestImportRefusesLineBreakInNames(t *testing.T) {
	const oneLine = "Un nom tient sur une ligne, sans retour à la ligne, tabulation ni caractère invisible."
	t.Parallel()
	data := "Famille;Responsable nom;Enfant prénom;Date de naissance\n" +
		"\"FAMILLE\nMARTIN\";MARTIN;Léa;03/04/2016\n" +
		"FAMILLE DUPONT;\"DU\nPONT\";Noé;03/04/2016\n" +
		"FAMILLE DURAND;DURAND;\"Zo\né\";03/04/2016\n"
	file, err := ParseImport([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range file.Rows {
		if r.OK() || !strings.Contains(strings.Join(r.Errors, " "), oneLine) {
			t.Errorf("line %d: errors %q, want %q", r.Line, r.Errors, oneLine)
		}
	}
}

func TestFoldTextMatchesAccentsAndCase(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ a, b string }{
		{"École du Centre", "ECOLE DU CENTRE"},
		{"Œuvre Zoé", "oeuvre zoe"},
		{"Hélène", "HELENE"},
		{"François", "francois"},
	} {
		file, err := ParseImport([]byte("Famille;Enfant prénom;Date de naissance\n" + tc.a + ";x;01/01/2018\n" + tc.b + ";x;01/01/2018\n"))
		if err != nil {
			t.Fatal(err)
		}
		// The second line is the same child (accents and case ignored).
		if r := file.Rows[1]; r.OK() {
			t.Errorf("%q and %q are not folded alike", tc.a, tc.b)
		}
	}
}
