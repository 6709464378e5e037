// Package accounts holds the parents' identities (platform-wide accounts),
// their sessions in each commune, and the adhesion codes that link an
// account to a family of a commune.
package accounts
