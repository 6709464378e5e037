package platform

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"espacefamille/tenants"
)

// TOTP secrets at rest. With a key configured (ESPACEFAMILLE_TOTP_KEY, or
// ESPACEFAMILLE_TOTP_KEY_FILE naming a file that holds it: 32 random bytes
// in base64, e.g. `head -c 32 /dev/urandom | base64`), the provider
// administrators' TOTP secrets are stored sealed with AES-256-GCM, bound to
// their administrator's id, as "v1:" + base64(nonce ‖ ciphertext): a copy
// of the platform database (a backup) without the key does not give the
// second factor away. The key is never stored in the database. At start-up
// serve seals the secrets still stored in clear (EncryptTOTPSecrets).

// sealedPrefix marks a sealed secret.
const sealedPrefix = "v1:"

// ErrNoTOTPKey means sealed secrets exist but no key is configured.
var ErrNoTOTPKey = errors.New("platform: TOTP secrets are encrypted but no key is configured (ESPACEFAMILLE_TOTP_KEY or ESPACEFAMILLE_TOTP_KEY_FILE)")

// SecretKey seals and opens TOTP secrets; a nil *SecretKey stores them in
// clear (no key configured).
type SecretKey struct{ aead cipher.AEAD }

// ParseSecretKey reads a key: 32 bytes in standard or URL base64.
func ParseSecretKey(s string) (*SecretKey, error) {
	s = strings.TrimSpace(s)
	var raw []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if raw, err = enc.DecodeString(s); err == nil {
			break
		}
	}
	if err != nil || len(raw) != 32 {
		return nil, errors.New("the TOTP key must be 32 random bytes in base64 (head -c 32 /dev/urandom | base64)")
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &SecretKey{aead: aead}, nil
}

// LoadSecretKey reads the key from value, or else from the file path; both
// empty: no key (nil).
func LoadSecretKey(value, path string) (*SecretKey, error) {
	if value == "" && path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("TOTP key file: %w", err)
		}
		value = string(b)
	}
	if strings.TrimSpace(value) == "" {
		return nil, nil
	}
	return ParseSecretKey(value)
}

func adminAD(adminID int64) []byte {
	return []byte("provider_admins:" + strconv.FormatInt(adminID, 10))
}

// seal returns the stored form of secret for the administrator adminID.
func (k *SecretKey) seal(secret string, adminID int64) (string, error) {
	if k == nil || secret == "" {
		return secret, nil
	}
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := k.aead.Seal(nonce, nonce, []byte(secret), adminAD(adminID))
	return sealedPrefix + base64.StdEncoding.EncodeToString(out), nil
}

// open returns the secret of a stored value (sealed, or in clear from
// before a key was configured).
func (k *SecretKey) open(stored string, adminID int64) (string, error) {
	if !strings.HasPrefix(stored, sealedPrefix) {
		return stored, nil
	}
	if k == nil {
		return "", ErrNoTOTPKey
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(stored, sealedPrefix))
	n := k.aead.NonceSize()
	if err != nil || len(raw) < n {
		return "", errors.New("platform: damaged TOTP secret")
	}
	plain, err := k.aead.Open(nil, raw[:n], raw[n:], adminAD(adminID))
	if err != nil {
		return "", errors.New("platform: TOTP secret does not open with this key (another key?)")
	}
	return string(plain), nil
}

// EncryptTOTPSecrets seals, in one transaction, every TOTP secret (enrolled
// or pending) still stored in clear, and returns how many. Without a key it
// changes nothing, and fails when sealed secrets exist (the console could
// not check their codes): serve refuses to start rather than lock every
// administrator out.
func EncryptTOTPSecrets(ctx context.Context, db *tenants.DB, k *SecretKey) (int, error) {
	n := 0
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		if k == nil {
			var sealed int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM provider_admins
				WHERE totp_secret LIKE 'v1:%' OR totp_pending LIKE 'v1:%'`).Scan(&sealed); err != nil {
				return err
			}
			if sealed > 0 {
				return ErrNoTOTPKey
			}
			return nil
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, totp_secret, totp_pending FROM provider_admins
			WHERE (totp_secret != '' AND totp_secret NOT LIKE 'v1:%') OR (totp_pending != '' AND totp_pending NOT LIKE 'v1:%')`)
		if err != nil {
			return err
		}
		type clear struct {
			id              int64
			secret, pending string
		}
		list, err := tenants.Collect(rows, func(row interface{ Scan(...any) error }) (clear, error) {
			var c clear
			return c, row.Scan(&c.id, &c.secret, &c.pending)
		})
		if err != nil {
			return err
		}
		for _, c := range list {
			secret, pending := c.secret, c.pending
			if !strings.HasPrefix(secret, sealedPrefix) {
				if secret, err = k.seal(secret, c.id); err != nil {
					return err
				}
			}
			if !strings.HasPrefix(pending, sealedPrefix) {
				if pending, err = k.seal(pending, c.id); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `UPDATE provider_admins SET totp_secret = ?, totp_pending = ? WHERE id = ?`,
				secret, pending, c.id); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("platform: encrypt TOTP secrets: %w", err)
	}
	return n, nil
}
