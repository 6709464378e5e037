package auth_test

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"testing"

	"espacefamille/app/auth"
)

// Parents' sessions and links were stored as SHA-256 of
// "espacefamille/token/v1:" and the token: HashToken keeps that form, so
// moving parents to auth's helpers logs nobody out.
func TestHashTokenIsTheParentsStoredForm(t *testing.T) {
	token, hash := auth.NewToken()
	sum := sha256.Sum256([]byte("espacefamille/token/v1:" + token))
	if want := hex.EncodeToString(sum[:]); hash != want || auth.HashToken(token) != want {
		t.Fatalf("hash %s, want %s", hash, want)
	}
	if !auth.ValidToken(token) || auth.ValidToken(token[1:]) || auth.ValidToken(token[1:]+"!") {
		t.Fatal("ValidToken accepts only 43 base64url characters")
	}
}

func TestFindTokenFallsBackToTheOldStaffForm(t *testing.T) {
	token, _ := auth.NewToken()
	sum := sha256.Sum256([]byte(token))
	bare := hex.EncodeToString(sum[:])
	broken := errors.New("database is locked")
	for _, c := range []struct {
		name       string
		stored     string // the hash a row is stored under ("" for none)
		fail       error  // what every lookup returns instead, if not nil
		wantLegacy bool
		wantErr    error
	}{
		{"current form", auth.HashToken(token), nil, false, nil},
		{"old staff form", bare, nil, true, nil},
		{"no such token", "", nil, false, sql.ErrNoRows},
		{"failing database is not a missing token", auth.HashToken(token), broken, false, broken},
	} {
		t.Run(c.name, func(t *testing.T) {
			legacy, err := auth.FindToken(token, func(hash string) error {
				if c.fail != nil {
					return c.fail
				}
				if hash == c.stored {
					return nil
				}
				return sql.ErrNoRows
			})
			if legacy != c.wantLegacy || !errors.Is(err, c.wantErr) || (c.wantErr == nil) != (err == nil) {
				t.Fatalf("FindToken = %v, %v; want %v, %v", legacy, err, c.wantLegacy, c.wantErr)
			}
		})
	}
}
