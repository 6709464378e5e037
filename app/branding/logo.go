// Package branding holds the commune's logo: checking an uploaded file,
// storing it in the commune's database, serving it at /logo, and the
// versioned URL the pages' header shows. It depends on tenants only, so
// that app/web can ask it for the header's logo.
package branding

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // registers the JPEG decoder
	_ "image/png"  // registers the PNG decoder
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/tenants"
)

// Limits of an uploaded logo.
const (
	MaxBytes = 512 << 10 // 512 Kio
	MaxSide  = 2000      // pixels, each way
)

// Logo describes the stored logo (never its bytes).
type Logo struct {
	ContentType string    `json:"content_type"`
	SHA256      string    `json:"sha256"`
	Size        int       `json:"size"`
	Width       int       `json:"width"`
	Height      int       `json:"height"`
	UpdatedAt   time.Time `json:"-"`
}

// InvalidError is a refused file, with a French message for people.
type InvalidError struct{ Message string }

func (e *InvalidError) Error() string { return e.Message }

func invalid(msg string) error { return &InvalidError{msg} }

// Check verifies an uploaded logo by its content, never by its name:
// http.DetectContentType must see PNG or JPEG, image.DecodeConfig must
// agree and give at most MaxSide×MaxSide pixels, and the whole image must
// decode. SVG (scripts), GIF, WebP and anything else are refused.
func Check(data []byte) (Logo, error) {
	if len(data) == 0 {
		return Logo{}, invalid("Choisissez un fichier image (PNG ou JPEG).")
	}
	if len(data) > MaxBytes {
		return Logo{}, invalid(fmt.Sprintf("Le fichier pèse %s : le logo ne doit pas dépasser 512 Ko.", kilo(len(data))))
	}
	sniffed := http.DetectContentType(data)
	var want string
	switch sniffed {
	case "image/png":
		want = "png"
	case "image/jpeg":
		want = "jpeg"
	default:
		if looksLikeSVG(data) {
			return Logo{}, invalid("Les images SVG ne sont pas acceptées, car elles peuvent contenir des scripts : envoyez le logo en PNG ou en JPEG.")
		}
		return Logo{}, invalid("Le logo doit être une image PNG ou JPEG.")
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || format != want {
		return Logo{}, invalid("Le fichier image est illisible ou endommagé : enregistrez-le à nouveau en PNG ou en JPEG.")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxSide || cfg.Height > MaxSide {
		return Logo{}, invalid(fmt.Sprintf("L'image mesure %d × %d pixels : le logo ne doit pas dépasser %d × %d pixels.",
			cfg.Width, cfg.Height, MaxSide, MaxSide))
	}
	// The dimensions are bounded above, so decoding costs at most a few
	// megabytes; it rejects a file whose header is valid and body is not.
	if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
		return Logo{}, invalid("Le fichier image est illisible ou endommagé : enregistrez-le à nouveau en PNG ou en JPEG.")
	}
	sum := sha256.Sum256(data)
	return Logo{ContentType: sniffed, SHA256: hex.EncodeToString(sum[:]), Size: len(data), Width: cfg.Width, Height: cfg.Height}, nil
}

// looksLikeSVG tells an SVG apart for a clearer message (it is refused
// like any other non-PNG, non-JPEG file).
func looksLikeSVG(data []byte) bool {
	head := bytes.ToLower(data[:min(len(data), 1024)])
	return bytes.Contains(head, []byte("<svg"))
}

func kilo(n int) string {
	return strconv.Itoa((n+1023)/1024) + " Ko"
}

// Current returns the stored logo's description, or nil when there is none.
func Current(ctx context.Context, q tenants.Querier) (*Logo, error) {
	var l Logo
	var at string
	err := q.QueryRowContext(ctx, `SELECT content_type, sha256, size, width, height, updated_at FROM commune_logo WHERE id = 1`).
		Scan(&l.ContentType, &l.SHA256, &l.Size, &l.Width, &l.Height, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("branding: logo: %w", err)
	}
	l.UpdatedAt = tenants.StoredTime(at)
	return &l, nil
}

// ErrNoLogo: the commune has no logo.
var ErrNoLogo = tenants.NotFound("branding: no logo")

// Image returns the stored logo's bytes with its content type, SHA-256,
// size and time of upload (zero when unreadable), or ErrNoLogo.
func Image(ctx context.Context, q tenants.Querier) (Logo, []byte, error) {
	var l Logo
	var at string
	var data []byte
	err := q.QueryRowContext(ctx, `SELECT content_type, sha256, updated_at, data FROM commune_logo WHERE id = 1`).
		Scan(&l.ContentType, &l.SHA256, &at, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return l, nil, ErrNoLogo
	}
	if err != nil {
		return l, nil, fmt.Errorf("branding: logo image: %w", err)
	}
	l.Size, l.UpdatedAt = len(data), tenants.StoredTime(at)
	return l, data, nil
}

// Save stores data, checked by Check into l, as the commune's logo.
func Save(ctx context.Context, tx *sql.Tx, data []byte, l Logo, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO commune_logo (id, content_type, data, sha256, size, width, height, updated_at)
		VALUES (1, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET content_type = excluded.content_type, data = excluded.data, sha256 = excluded.sha256,
			size = excluded.size, width = excluded.width, height = excluded.height, updated_at = excluded.updated_at`,
		l.ContentType, data, l.SHA256, l.Size, l.Width, l.Height, tenants.FormatTime(now))
	if err != nil {
		return fmt.Errorf("branding: save logo: %w", err)
	}
	return nil
}

// Remove deletes the commune's logo, if any.
func Remove(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM commune_logo WHERE id = 1`); err != nil {
		return fmt.Errorf("branding: remove logo: %w", err)
	}
	return nil
}

// memoKey is the tenants.DB.Memo key of the logo's version ("" for none).
const memoKey = "branding.logo"

// version returns the stored logo's SHA-256, "" when there is none, from
// memory while the configuration version has not moved (the logo table's
// triggers bump it).
func version(ctx context.Context, db *tenants.DB) (string, error) {
	q := db.Reader()
	v, err := tenants.ConfigVersion(ctx, q)
	if err != nil {
		return "", err
	}
	sha, err := db.Memo(memoKey, v, func() (any, error) {
		var s string
		err := q.QueryRowContext(ctx, `SELECT sha256 FROM commune_logo WHERE id = 1`).Scan(&s)
		if errors.Is(err, sql.ErrNoRows) {
			return "", nil
		}
		return s, err
	})
	if err != nil {
		return "", err
	}
	return sha.(string), nil
}

// URL returns the versioned URL of the request's commune logo
// ("/alpha/logo?v=…"), or "" when the commune has none or the request has
// no commune database. A failure to read counts as no logo: the header
// must not break a page.
func URL(c *fiber.Ctx) string {
	t := tenants.From(c)
	if t == nil || t.DB() == nil {
		return ""
	}
	sha, err := version(c.UserContext(), t.DB())
	if err != nil || len(sha) < 16 {
		return ""
	}
	return t.URL("/logo?v=" + sha[:16])
}

// Serve answers GET /logo with the stored image: its own Content-Type,
// nosniff, a sandboxing CSP, an ETag (the SHA-256) and Last-Modified. A
// request carrying the current version (?v=, as URL writes it) may be
// cached for a year; any other must revalidate, which costs a 304.
func Serve(c *fiber.Ctx) error {
	t := tenants.From(c)
	if t == nil || t.DB() == nil {
		return fiber.ErrNotFound
	}
	l, data, err := Image(c.UserContext(), t.DB().Reader())
	if err != nil {
		return err
	}
	etag := `"` + l.SHA256 + `"`
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'none'; sandbox")
	c.Set(fiber.HeaderETag, etag)
	if v := c.Query("v"); v != "" && len(v) >= 16 && strings.HasPrefix(l.SHA256, v) {
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		c.Set(fiber.HeaderCacheControl, "public, no-cache")
	}
	modified := l.UpdatedAt
	if !modified.IsZero() {
		c.Set(fiber.HeaderLastModified, modified.UTC().Format(http.TimeFormat))
	}
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" {
		if etagMatch(inm, etag) {
			return c.SendStatus(fiber.StatusNotModified)
		}
	} else if ims := c.Get(fiber.HeaderIfModifiedSince); ims != "" && !modified.IsZero() {
		if since, err := http.ParseTime(ims); err == nil && !modified.Truncate(time.Second).After(since) {
			return c.SendStatus(fiber.StatusNotModified)
		}
	}
	c.Set(fiber.HeaderContentType, l.ContentType)
	return c.Send(data)
}

// etagMatch reports whether an If-None-Match header names etag.
func etagMatch(header, etag string) bool {
	for _, v := range strings.Split(header, ",") {
		v = strings.TrimPrefix(strings.TrimSpace(v), "W/")
		if v == "*" || v == etag {
			return true
		}
	}
	return false
}
