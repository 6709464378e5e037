package families

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
)

// codeAlphabet leaves out the ambiguous letters I, L and O, so that the
// digits 1 and 0 cannot be misread, and a typed I, L or O is read as the
// digit it was meant to be (the memento's KUD31S77V7 stays valid).
const codeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ0123456789"

// CodeLength is the length of an adhesion code.
const CodeLength = 10

// ErrCodeFormat reports a code that cannot be an adhesion code.
var ErrCodeFormat = errors.New("le code d'adhésion comporte 10 caractères (lettres et chiffres)")

// NormalizeCode upper-cases a typed code and drops spaces and dashes, so
// "kud31 s77v7" reads as "KUD31S77V7".
func NormalizeCode(s string) (string, error) {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-' || r == '\t' || r == '\u00a0':
			continue
		case r == 'I' || r == 'L':
			b.WriteByte('1')
		case r == 'O':
			b.WriteByte('0')
		case r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			return "", ErrCodeFormat
		}
		if b.Len() > CodeLength {
			return "", ErrCodeFormat
		}
	}
	if b.Len() != CodeLength {
		return "", ErrCodeFormat
	}
	return b.String(), nil
}

// HashCode returns the stored form of a normalized code. Codes carry about
// 50 bits of randomness and guessing online is rate-limited, so a plain
// SHA-256 (domain-separated) is enough to keep them out of the file.
func HashCode(normalized string) string {
	sum := sha256.Sum256([]byte("espacefamille/adhesion/v1:" + normalized))
	return hex.EncodeToString(sum[:])
}

// GenerateCode returns a new random adhesion code.
func GenerateCode() string {
	b := make([]byte, CodeLength)
	_, _ = rand.Read(b)
	out := make([]byte, CodeLength)
	for i, v := range b {
		// 256 is not a multiple of 33: redraw the high values that would
		// bias the first characters.
		for v >= 231 {
			var one [1]byte
			_, _ = rand.Read(one[:])
			v = one[0]
		}
		out[i] = codeAlphabet[int(v)%len(codeAlphabet)]
	}
	return string(out)
}
