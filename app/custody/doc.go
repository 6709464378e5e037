// Package custody decides, for a child shared by two households (shared
// custody, issue 14), which household books and pays each day, and keeps
// the custody calendar the mairie sets: an alternation of even and odd ISO
// weeks and explicit periods that win over it.
//
// The child stays in its family (the foyer principal); the other
// guardian's household is a family of its own, linked to the child by
// app/families (child_households), so that each household has its own
// cart, orders, invoices and credits and never sees the other's. This
// package writes custody_alternations and custody_periods.
package custody
