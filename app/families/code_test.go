package families

import (
	"strings"
	"testing"
)

func TestNormalizeCode(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		ok             bool
	}{
		{"memento code as printed", "KUD31S77V7", "KUD31S77V7", true},
		{"lower case with spaces", " kud31 s77v7 ", "KUD31S77V7", true},
		{"dashes tolerated", "KUD3-1S77-V7", "KUD31S77V7", true},
		{"letter I and L typed for the digit one", "KUD3IS77V7", "KUD31S77V7", true},
		{"letter O typed for zero", "AAAAAOAAAA", "AAAAA0AAAA", true},
		{"too short", "KUD31S77V", "", false},
		{"too long", "KUD31S77V77", "", false},
		{"punctuation refused", "KUD31S77V!", "", false},
		{"accented letter refused", "KUD31S77VÉ", "", false},
		{"empty", "", "", false},
	} {
		got, err := NormalizeCode(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("%s: NormalizeCode(%q) = %q, %v", tc.name, tc.in, got, err)
		}
	}
}

func TestGenerateCode(t *testing.T) {
	seen := map[string]bool{}
	for range 2000 {
		c := GenerateCode()
		n, err := NormalizeCode(c)
		if err != nil || n != c {
			t.Fatalf("generated code %q does not normalize to itself: %q %v", c, n, err)
		}
		if strings.ContainsAny(c, "ILO") {
			t.Fatalf("generated code %q holds an ambiguous letter", c)
		}
		if seen[c] {
			t.Fatalf("duplicate code %q", c)
		}
		seen[c] = true
	}
	if HashCode("KUD31S77V7") == HashCode("KUD31S77V8") || len(HashCode("KUD31S77V7")) != 64 {
		t.Fatal("HashCode must separate codes and give 64 hex digits")
	}
}
