package web

import (
	"testing"
	"time"
)

func TestFormatDate(t *testing.T) {
	// 23:30 UTC on 27 Nov is already 28 Nov in Paris.
	inst := time.Date(2017, 11, 27, 23, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		in   any
		want string
	}{
		{"iso civil date", "2017-11-28", "28/11/2017"},
		{"instant shown in Paris time", inst, "28/11/2017"},
		{"zero time is empty", time.Time{}, ""},
		{"unknown type is empty", 42, ""},
	} {
		if got := FormatDate(tc.in); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := FormatDateTime(time.Date(2017, 11, 28, 9, 8, 14, 0, time.UTC)); got != "28/11/2017 10:08:14" {
		t.Errorf("FormatDateTime = %q", got)
	}
}
