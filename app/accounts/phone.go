package accounts

import "strings"

// FrenchPhone checks a French phone number as typed ("06 12 34 56 78",
// "06.12.34.56.78", "+33 6 12 34 56 78", "0033612345678") and returns it
// in its national form of ten digits ("0612345678"); ok is false for
// anything else.
func FrenchPhone(s string) (national string, ok bool) {
	digits, ok := normalizePhone(s)
	if !ok {
		return "", false
	}
	switch {
	case strings.HasPrefix(digits, "+33"):
		digits = "0" + digits[3:]
	case strings.HasPrefix(digits, "0033"):
		digits = "0" + digits[4:]
	}
	if len(digits) != 10 || digits[0] != '0' || digits[1] == '0' || strings.Trim(digits, "0123456789") != "" {
		return "", false
	}
	return digits, true
}

// FormatPhone shows a stored number as the French write it ("06 12 34 56
// 78"); any other form is shown as stored.
func FormatPhone(s string) string {
	if len(s) != 10 || strings.Trim(s, "0123456789") != "" {
		return s
	}
	return s[0:2] + " " + s[2:4] + " " + s[4:6] + " " + s[6:8] + " " + s[8:10]
}
