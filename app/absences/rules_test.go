package absences

import (
	"testing"
	"time"

	"espacefamille/app/calendar"
)

func day(s string) calendar.Date {
	d, err := calendar.ParseISO(s)
	if err != nil {
		panic(err)
	}
	return d
}

// absent and present build the child's booked days.
func absent(s string) BookedDay    { return BookedDay{Day: day(s), Absent: true} }
func certified(s string) BookedDay { return BookedDay{Day: day(s), Absent: true, Certified: true} }
func present(s string) BookedDay   { return BookedDay{Day: day(s)} }

// 2026-12-03 is a Thursday.
func TestCarenceAndRefundRules(t *testing.T) {
	carence1 := Rule{Enabled: true, CarenceDays: 1, CertificateRequired: true}
	carence2 := Rule{Enabled: true, CarenceDays: 2, CertificateRequired: true}
	noCertificate := Rule{Enabled: true, CarenceDays: 1}
	tests := []struct {
		name string
		rule Rule
		days []BookedDay
		want map[string]Decision
	}{
		{"one carence day: the first day of an absence is not refunded, even with a certificate", carence1,
			[]BookedDay{certified("2026-12-03")},
			map[string]Decision{"2026-12-03": {Episode: 1, Rank: 1, Carence: true, Billable: true}}},
		{"absent thursday and friday with a certificate: friday, the second day, is refunded", carence1,
			[]BookedDay{certified("2026-12-03"), certified("2026-12-04")},
			map[string]Decision{"2026-12-03": {1, 1, true, true}, "2026-12-04": {1, 2, false, false}}},
		{"absent thursday, friday and monday: the weekend does not break the absence, monday is its third day", carence2,
			[]BookedDay{certified("2026-12-03"), certified("2026-12-04"), certified("2026-12-07")},
			map[string]Decision{"2026-12-03": {1, 1, true, true}, "2026-12-04": {1, 2, true, true}, "2026-12-07": {1, 3, false, false}}},
		{"absent tuesday and thursday with nothing booked on wednesday: one absence", carence1,
			[]BookedDay{certified("2026-12-01"), certified("2026-12-03")},
			map[string]Decision{"2026-12-01": {1, 1, true, true}, "2026-12-03": {1, 2, false, false}}},
		{"absent monday, at the canteen on tuesday, absent thursday: thursday starts a new absence and its carence", carence1,
			[]BookedDay{certified("2026-11-30"), present("2026-12-01"), certified("2026-12-03")},
			map[string]Decision{"2026-11-30": {1, 1, true, true}, "2026-12-03": {2, 1, true, true}}},
		{"certificate required and missing: the day after the carence stays due", carence1,
			[]BookedDay{absent("2026-12-03"), absent("2026-12-04")},
			map[string]Decision{"2026-12-03": {1, 1, true, true}, "2026-12-04": {1, 2, false, true}}},
		{"certificate not asked: the day after the carence is refunded without one", noCertificate,
			[]BookedDay{absent("2026-12-03"), absent("2026-12-04")},
			map[string]Decision{"2026-12-03": {1, 1, true, true}, "2026-12-04": {1, 2, false, false}}},
		{"no carence: the first day is refunded with its certificate", Rule{Enabled: true, CertificateRequired: true},
			[]BookedDay{certified("2026-12-03")},
			map[string]Decision{"2026-12-03": {1, 1, false, false}}},
		{"canteen and garderie the same day count as one day of absence", carence1,
			[]BookedDay{certified("2026-12-03"), certified("2026-12-03"), certified("2026-12-04")},
			map[string]Decision{"2026-12-03": {1, 1, true, true}, "2026-12-04": {1, 2, false, false}}},
		{"days given out of order are decided in calendar order", carence1,
			[]BookedDay{certified("2026-12-04"), certified("2026-12-03")},
			map[string]Decision{"2026-12-03": {1, 1, true, true}, "2026-12-04": {1, 2, false, false}}},
		{"a booked day after the absence does not change it", carence1,
			[]BookedDay{certified("2026-12-03"), present("2026-12-04")},
			map[string]Decision{"2026-12-03": {1, 1, true, true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Decide(tt.rule, tt.days)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d decisions %v, want %d", len(got), got, len(tt.want))
			}
			for d, want := range tt.want {
				if got[day(d)] != want {
					t.Errorf("%s: got %+v, want %+v", d, got[day(d)], want)
				}
			}
		})
	}
}

func TestDeclarationDeadline(t *testing.T) {
	r := Rule{Enabled: true, DeadlineHour: 9, DeadlineMinute: 30}
	paris := calendar.Paris()
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, paris)
		if err != nil {
			panic(err)
		}
		return tm
	}
	tests := []struct {
		name    string
		day     string
		now     string
		refused bool
	}{
		{"today at 09:29, before the 09:30 deadline", "2026-12-03", "2026-12-03 09:29", false},
		{"today at 09:30 sharp is too late", "2026-12-03", "2026-12-03 09:30", true},
		{"tomorrow late in the evening is fine", "2026-12-04", "2026-12-03 23:50", false},
		{"the day after tomorrow is not offered", "2026-12-05", "2026-12-03 08:00", true},
		{"yesterday is not offered", "2026-12-02", "2026-12-03 08:00", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			why := r.Refusal(day(tt.day), at(tt.now))
			if (why != "") != tt.refused {
				t.Fatalf("refusal %q, want refused=%v", why, tt.refused)
			}
		})
	}
	t.Run("a commune that turned absences off refuses even tomorrow", func(t *testing.T) {
		if (Rule{}).Refusal(day("2026-12-04"), at("2026-12-03 08:00")) == "" {
			t.Fatal("accepted")
		}
	})
}

func TestParseDeadline(t *testing.T) {
	for _, tt := range []struct {
		in   string
		h, m int
		ok   bool
	}{{"09:00", 9, 0, true}, {"9h30", 9, 30, true}, {" 18:05 ", 18, 5, true}, {"24:00", 0, 0, false}, {"9", 0, 0, false},
		{"09:7", 0, 0, false}, {"ab:cd", 0, 0, false}, {"", 0, 0, false}} {
		h, m, ok := ParseDeadline(tt.in)
		if ok != tt.ok || h != tt.h || m != tt.m {
			t.Errorf("ParseDeadline(%q) = %d, %d, %v; want %d, %d, %v", tt.in, h, m, ok, tt.h, tt.m, tt.ok)
		}
	}
}

func TestCertificateIsJudgedByItsBytes(t *testing.T) {
	for _, tt := range []struct {
		name string
		data []byte
		size int64
		want string // type, "" refused
	}{
		{"a PDF", []byte("%PDF-1.7\n..."), 12, TypePDF},
		{"a phone's JPEG", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10}, 6, TypeJPEG},
		{"a PNG", []byte("\x89PNG\r\n\x1a\n...."), 12, TypePNG},
		{"an HTML page named certificat.pdf", []byte("<html><script>alert(1)</script>"), 31, ""},
		{"a GIF", []byte("GIF89a...."), 10, ""},
		{"an empty file", nil, 0, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := SniffCertificate(tt.data); got != tt.want {
				t.Fatalf("type %q, want %q", got, tt.want)
			}
			if why := CheckCertificate(tt.data, tt.size); (why == "") != (tt.want != "") {
				t.Fatalf("check %q", why)
			}
		})
	}
	t.Run("a PDF over 5 Mo is refused for its size", func(t *testing.T) {
		if why := CheckCertificate([]byte("%PDF-"), MaxCertificateSize+1); why == "" {
			t.Fatal("accepted")
		}
	})
}

func FuzzSniffCertificate(f *testing.F) {
	f.Add([]byte("%PDF-1.4"))
	f.Add([]byte{0xFF, 0xD8, 0xFF})
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		switch SniffCertificate(b) {
		case TypePDF, TypeJPEG, TypePNG:
			if CheckCertificate(b, int64(len(b))) != "" {
				t.Fatal("a sniffed certificate is refused")
			}
		case "":
		default:
			t.Fatal("unknown type")
		}
	})
}
