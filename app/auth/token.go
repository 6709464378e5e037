package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
)

// NewToken returns a random URL-safe token (256 bits, 43 characters) for
// a session cookie or a one-time link, and the hash to store for it.
func NewToken() (token, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is the stored form of every token: parents', staff's and
// provider administrators' sessions and links. With 256 random bits a fast
// hash is enough, and a stolen database gives no usable cookie or link;
// the domain prefix keeps these hashes apart from any other SHA-256 of
// the same text.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte("espacefamille/token/v1:" + token))
	return hex.EncodeToString(sum[:])
}

// legacyHash is how staff's and provider administrators' tokens were
// stored before they used HashToken: a bare SHA-256.
func legacyHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// FindToken runs find with the token's stored hash; when that finds no
// row (sql.ErrNoRows), it runs find again with the bare SHA-256 under
// which staff's and provider administrators' tokens were stored before, so
// that their sessions and links outlive the change of format. legacy
// reports a row found that way: the caller rewrites it with UpgradeToken.
func FindToken(token string, find func(hash string) error) (legacy bool, err error) {
	err = find(HashToken(token))
	if !errors.Is(err, sql.ErrNoRows) {
		return false, err
	}
	if errOld := find(legacyHash(token)); errOld == nil || !errors.Is(errOld, sql.ErrNoRows) {
		return errOld == nil, errOld
	}
	return false, err
}

// UpgradeToken rewrites, in table (a constant of the caller, with a
// token_hash column), the old stored form of token to HashToken's. It does
// nothing when the token is already stored in the current form.
func UpgradeToken(ctx context.Context, tx *sql.Tx, table, token string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET token_hash = ? WHERE token_hash = ?`,
		HashToken(token), legacyHash(token)); err != nil {
		return fmt.Errorf("auth: upgrade %s token: %w", table, err)
	}
	return nil
}

// ValidToken reports whether s can be a token of NewToken (43 base64url
// characters), so that garbage never reaches the database.
func ValidToken(s string) bool {
	if len(s) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}
