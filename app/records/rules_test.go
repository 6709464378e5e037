package records

import (
	"testing"

	"espacefamille/app/calendar"
)

func TestRecordFormRules(t *testing.T) {
	today := calendar.DateOf(2026, 12, 3)
	valid := func() Form {
		return Form{Allergies: "non", PAI: "oui", PAIUntil: "31/08/2027", ImageRights: "oui",
			DoctorName: "Dr Martin", DoctorPhone: "04 90 12 34 56",
			Pickups:   []Contact{{Name: "Mamie Jeanne", Phone: "06 12 34 56 78", Relationship: "grand-mère"}},
			Emergency: []Contact{{Name: "Y FAMILLE X", Phone: "+33 6 98 76 54 32"}}}
	}
	tests := []struct {
		name   string
		change func(*Form)
		field  string // the field refused, "" when accepted
	}{
		{"a complete record with a PAI valid until the end of the school year is accepted", func(*Form) {}, ""},
		{"a PAI without its validity date is refused", func(f *Form) { f.PAIUntil = "" }, "pai_until"},
		{"a PAI whose document expired yesterday is refused", func(f *Form) { f.PAIUntil = "02/12/2026" }, "pai_until"},
		{"a PAI valid until today is accepted", func(f *Form) { f.PAIUntil = "03/12/2026" }, ""},
		{"no PAI: the date is not needed", func(f *Form) { f.PAI, f.PAIUntil = "non", "" }, ""},
		{"allergies left unanswered are refused (yes/no only)", func(f *Form) { f.Allergies = "" }, "allergies"},
		{"a free text instead of yes/no is refused", func(f *Form) { f.Allergies = "arachide" }, "allergies"},
		{"image rights must be answered", func(f *Form) { f.ImageRights = "" }, "image_rights"},
		{"a doctor's number that is not French is refused", func(f *Form) { f.DoctorPhone = "12345" }, "doctor_phone"},
		{"a pick-up person without a relationship is refused", func(f *Form) { f.Pickups[0].Relationship = "" }, "pickup-1-relationship"},
		{"a pick-up person with a wrong phone is refused beside the row", func(f *Form) { f.Pickups[0].Phone = "06 12" }, "pickup-1-phone"},
		{"a blank pick-up row is ignored", func(f *Form) { f.Pickups = append(f.Pickups, Contact{}) }, ""},
		{"no emergency contact is refused", func(f *Form) { f.Emergency = nil }, "emergency"},
		{"an emergency contact without a name is refused", func(f *Form) { f.Emergency[0].Name = "" }, "emergency-1-name"},
		{"seven pick-up people are too many", func(f *Form) {
			for range 6 {
				f.Pickups = append(f.Pickups, f.Pickups[0])
			}
		}, "pickup"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := valid()
			tt.change(&f)
			r, errs := f.Check(today)
			if tt.field == "" {
				if len(errs) > 0 {
					t.Fatalf("refused: %v", errs)
				}
				return
			}
			if errs[tt.field] == "" {
				t.Fatalf("want an error on %s, got %v (record %+v)", tt.field, errs, r)
			}
		})
	}
	t.Run("phones are stored as ten digits and the record reads back into the same form", func(t *testing.T) {
		r, errs := valid().Check(today)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		if r.DoctorPhone != "0490123456" || r.Emergency[0].Phone != "0698765432" || !r.PAIUntil.Equal(calendar.DateOf(2027, 8, 31)) {
			t.Fatalf("%+v", r)
		}
		back, errs := FormOf(r).Check(today)
		if len(errs) > 0 || !Same(r, back) {
			t.Fatalf("round trip: %+v %v", back, errs)
		}
	})
	t.Run("a PAI is expired the day after its validity date, for both sides", func(t *testing.T) {
		r := Record{PAI: true, PAIUntil: calendar.DateOf(2026, 12, 2)}
		if !r.PAIExpired(today) || r.PAIExpired(calendar.DateOf(2026, 12, 2)) {
			t.Fatal("wrong expiry")
		}
		if (Record{PAI: false, PAIUntil: calendar.DateOf(2020, 1, 1)}).PAIExpired(today) {
			t.Fatal("no PAI cannot expire")
		}
	})
}
