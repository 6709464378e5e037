// Package absences owns the absences a family declares for a child
// ("Absent(e) aujourd'hui / demain") and their medical certificates: the
// commune's rule (deadline, jours de carence, certificate required or
// not), the declaration that cancels the day's bookings (the kitchen's
// numbers drop at once) and issues the avoir the rule grants, and the
// certificates' storage (PDF, JPEG or PNG, checked by their first bytes,
// kept in the commune's own database and served only to the family that
// sent them and to the commune's staff). A child declared absent whom
// the staff then mark present at the pointage came after all: the
// absence is withdrawn (Withdraw), the booking validated again and its
// avoir taken back, so the day is billed as the booked day it was, never
// as a child present without a booking (day price plus majoration).
//
// It is the only writer of the tables absences and absence_certificates;
// reservations are cancelled through app/booking, avoirs issued through
// app/billing, and the rule is kept in the commune's settings through
// app/booking.
package absences
