package calendar

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestFormatEuros(t *testing.T) {
	tests := []struct {
		name  string
		cents int64
		want  string
	}{
		{"memento total", 765, "7,65 €"},
		{"price with trailing zero", 1530, "15,30 €"},
		{"zero", 0, "0,00 €"},
		{"cents only", 5, "0,05 €"},
		{"thousands separator", 123456, "1 234,56 €"},
		{"millions", 123456789, "1 234 567,89 €"},
		{"exactly one thousand", 100000, "1 000,00 €"},
		{"negative credit", -255, "-2,55 €"},
		{"negative thousands", -123456, "-1 234,56 €"},
		{"smallest int64 does not overflow", math.MinInt64, "-92 233 720 368 547 758,08 €"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The table uses plain spaces for readability.
			want := strings.Replace(tt.want, " €", NBSP+"€", 1)
			want = strings.ReplaceAll(want, " ", NarrowNBSP)
			if got := FormatEuros(tt.cents); got != want {
				t.Fatalf("FormatEuros(%d) = %q, want %q", tt.cents, got, want)
			}
		})
	}
}

func TestParseEuros(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    int64
		wantErr error
	}{
		{"comma decimals", "2,55", 255, nil},
		{"dot decimals", "2.55", 255, nil},
		{"whole euros", "2", 200, nil},
		{"one decimal", "2,5", 250, nil},
		{"euro sign and spaces", " 15,30 € ", 1530, nil},
		{"thousands with a space", "1 234,56", 123456, nil},
		{"thousands with a narrow no-break space", "1\u202f234,56\u00a0€", 123456, nil},
		{"zero", "0", 0, nil},
		{"three decimals refused", "2,555", 0, ErrAmountDecimals},
		{"letters refused", "2,5a", 0, ErrAmountInvalid},
		{"word refused", "deux", 0, ErrAmountInvalid},
		{"negative refused", "-2,55", 0, ErrAmountNegative},
		{"empty refused", "  ", 0, ErrAmountEmpty},
		{"only the euro sign", "€", 0, ErrAmountEmpty},
		{"trailing separator refused", "2,", 0, ErrAmountInvalid},
		{"leading separator refused", ",55", 0, ErrAmountInvalid},
		{"two separators refused", "1.234,56", 0, ErrAmountInvalid},
		{"bad grouping refused", "12 34", 0, ErrAmountInvalid},
		{"overflow refused", "92233720368547758,08", 0, ErrAmountTooLarge},
		{"largest amount", "92233720368547758,07", math.MaxInt64, nil},
		{"plus sign refused", "+2", 0, ErrAmountInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEuros(tt.in)
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Fatalf("ParseEuros(%q) = %d, %v; want %d, %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
	if v, err := ParseSignedEuros("-2,55"); err != nil || v != -255 {
		t.Fatalf("ParseSignedEuros = %d, %v", v, err)
	}
}

func FuzzParseEuros(f *testing.F) {
	for _, s := range []string{"2,55", "2.55", "2", "2,5", "1 234,56 €", "-0,01", "9223372036854775807", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseSignedEuros(s)
		if err != nil {
			return
		}
		// Whatever parses must format and parse back to the same cents.
		back, err := ParseSignedEuros(FormatEuros(v))
		if err != nil || back != v {
			t.Fatalf("%q -> %d -> %q -> %d, %v", s, v, FormatEuros(v), back, err)
		}
		if u, err := ParseEuros(s); err == nil && (u != v || u < 0) {
			t.Fatalf("ParseEuros(%q) = %d, signed gave %d", s, u, v)
		}
	})
}

func TestParseEurosEdges(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		signed  bool
		want    int64
		wantErr error
	}{
		{"a tab before the amount", "\t2,55", false, 255, nil},
		{"a no-break space before the euro sign", "2,55\u00a0€", false, 255, nil},
		{"three characters after the comma, not all digits, is invalid rather than too precise", "2,5a5", false, 0, ErrAmountInvalid},
		{"one decimal with a dot", "0.5", false, 50, nil},
		{"one cent", "0,01", false, 1, nil},
		{"minus one cent as a credit", "-0,01", true, -1, nil},
		{"minus with thousands", "-1 234,56", true, -123456, nil},
		{"a minus alone", "-", true, 0, ErrAmountInvalid},
		{"a minus before a comma", "-,5", true, 0, ErrAmountInvalid},
		{"a minus before spaces", "- ,5", true, 0, ErrAmountInvalid},
		{"a group of four after the first", "1 2345", false, 0, ErrAmountInvalid},
		{"a group of two after the first", "1 234 56", false, 0, ErrAmountInvalid},
		{"the first group may be short", "12 345", false, 1234500, nil},
		{"twenty digits overflow while reading", "99999999999999999999", false, 0, ErrAmountTooLarge},
		{"one euro more than the largest amount overflows once in cents", "92233720368547759", false, 0, ErrAmountTooLarge},
		{"the largest number of whole euros that fits", "92233720368547758", false, 9223372036854775800, nil},
		{"a digit just below 0 in ASCII", "2/", false, 0, ErrAmountInvalid},
		{"a digit just above 9 in ASCII", "2:", false, 0, ErrAmountInvalid},
		{"decimals just outside the digits", "2,/0", false, 0, ErrAmountInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parse := ParseEuros
			if tt.signed {
				parse = ParseSignedEuros
			}
			got, err := parse(tt.in)
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Fatalf("parse(%q) = %d, %v; want %d, %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestFormatEurosGroups(t *testing.T) {
	for _, tt := range []struct {
		cents int64
		want  string
	}{
		{99, "0,99"},
		{100, "1,00"},
		{99999, "999,99"},
		{1000000, "10 000,00"},
		{-1, "-0,01"},
		{-100000, "-1 000,00"},
	} {
		want := strings.ReplaceAll(tt.want, " ", NarrowNBSP) + NBSP + "€"
		if got := FormatEuros(tt.cents); got != want {
			t.Errorf("FormatEuros(%d) = %q, want %q", tt.cents, got, want)
		}
	}
}
