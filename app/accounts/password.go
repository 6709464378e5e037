package accounts

import ()

// Password length bounds, in characters. No other composition rule: length
// is what makes a password strong (ANSSI, NIST SP 800-63B).
const (
	MinPasswordLen = 12
	MaxPasswordLen = 128
)
