package accounts

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"
)

// Password length bounds, in characters. No other composition rule: length
// is what makes a password strong (ANSSI, NIST SP 800-63B).
const (
	MinPasswordLen = 12
	MaxPasswordLen = 128
)

// newToken returns a random URL-safe token and the hash stored for it.
func newToken() (token, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token)
}

// hashToken is the stored form of a session or email token. Tokens carry
// 256 random bits, so a fast hash is enough: a stolen database gives no
// usable cookie or link.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte("espacefamille/token/v1:" + token))
	return hex.EncodeToString(sum[:])
}

// validToken reports whether s can be a token made by newToken (43
// base64url characters), so that garbage never reaches the database.
func validToken(s string) bool {
	if len(s) != 43 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// timeLayout is the fixed-width UTC format of every time this package
// stores, so that times compare correctly as text in SQL.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func ts(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTS(s string) time.Time {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
