package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"espacefamille/tenants"
)

// UnsubscribePath is the commune-relative path of the unsubscribe page;
// the token travels in the "jeton" query parameter, so that the path is
// fixed (the CSRF exemption names it) and RFC 8058's POST reaches it as is.
const UnsubscribePath = "/desabonnement"

// ErrBadToken is the answer to a token that is altered, of another
// commune, or of an unknown kind.
var ErrBadToken = errors.New("notify: invalid unsubscribe token")

// linkKey reads the commune's random key that signs its unsubscribe links.
func linkKey(ctx context.Context, q tenants.Querier) ([]byte, error) {
	var key []byte
	err := q.QueryRowContext(ctx, `SELECT link_key FROM notification_settings WHERE id = 1`).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("notify: link key: %w", err)
	}
	if len(key) < 16 {
		return nil, errors.New("notify: link key too short")
	}
	return key, nil
}

// mac binds the address and kind to the commune's key and slug.
func mac(key []byte, slug, email string, kind Kind) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("unsubscribe\x00" + slug + "\x00" + string(kind) + "\x00" + NormalizeEmail(email)))
	return m.Sum(nil)[:18]
}

// token is "<kind and address>.<signature>", both base64url.
func token(key []byte, slug, email string, kind Kind) string {
	b := base64.RawURLEncoding
	return b.EncodeToString([]byte(string(kind)+"\x00"+NormalizeEmail(email))) + "." + b.EncodeToString(mac(key, slug, email, kind))
}

// parseToken checks a token against the commune's key and slug and
// returns the address and kind it names.
func parseToken(key []byte, slug, tok string) (string, Kind, error) {
	payload, sig, ok := strings.Cut(tok, ".")
	if !ok || len(tok) > 600 {
		return "", "", ErrBadToken
	}
	b := base64.RawURLEncoding
	raw, err1 := b.DecodeString(payload)
	got, err2 := b.DecodeString(sig)
	if err1 != nil || err2 != nil {
		return "", "", ErrBadToken
	}
	k, email, ok := strings.Cut(string(raw), "\x00")
	kind := Kind(k)
	if !ok || !kind.Valid() || email == "" || !hmac.Equal(got, mac(key, slug, email, kind)) {
		return "", "", ErrBadToken
	}
	return email, kind, nil
}

// UnsubscribeURL is the absolute one-click unsubscribe URL of email from
// kind in com, read with the commune's key through q; abs makes a
// commune-relative path absolute (web.Server.CommuneURL).
func UnsubscribeURL(ctx context.Context, q tenants.Querier, com tenants.Commune, abs func(tenants.Commune, string) string, email string, kind Kind) (string, error) {
	key, err := linkKey(ctx, q)
	if err != nil {
		return "", err
	}
	return abs(com, UnsubscribePath+"?jeton="+url.QueryEscape(token(key, com.Slug, email, kind))), nil
}
