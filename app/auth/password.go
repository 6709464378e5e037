package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// hashSlots bounds the password hashes computed at once: each argon2id
// hash holds 19 MiB for its duration, so a burst of log-ins must queue
// rather than take the node's memory. One slot per core keeps the cores
// busy; at least two, so one slow hash never stalls every log-in.
var hashSlots = make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))

// withSlot runs fn once a hashing slot is free, or gives up when ctx ends.
func withSlot(ctx context.Context, fn func()) error {
	select {
	case hashSlots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-hashSlots }()
	fn()
	return nil
}

// HashPassword returns the PHC-formatted argon2id hash of password.
func HashPassword(ctx context.Context, password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	var key []byte
	if err := withSlot(ctx, func() {
		key = argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	}); err != nil {
		return "", err
	}
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// ErrBadHash is a stored hash this package cannot read.
var ErrBadHash = errors.New("auth: malformed password hash")

// CheckPassword reports whether password matches the stored hash, in
// constant time, and whether the hash should be replaced by a fresh
// HashPassword (a bcrypt hash of an older staff account).
func CheckPassword(ctx context.Context, hash, password string) (ok, rehash bool, err error) {
	if strings.HasPrefix(hash, "$2a$") || strings.HasPrefix(hash, "$2b$") || strings.HasPrefix(hash, "$2y$") {
		var cerr error
		if err := withSlot(ctx, func() { cerr = bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) }); err != nil {
			return false, false, err
		}
		switch {
		case cerr == nil:
			return true, true, nil
		case errors.Is(cerr, bcrypt.ErrMismatchedHashAndPassword):
			return false, false, nil
		}
		return false, false, ErrBadHash
	}
	p, err := parseArgon(hash)
	if err != nil {
		return false, false, err
	}
	var got []byte
	if err := withSlot(ctx, func() {
		got = argon2.IDKey([]byte(password), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
	}); err != nil {
		return false, false, err
	}
	ok = subtle.ConstantTimeCompare(got, p.key) == 1
	return ok, ok && (p.memory != argonMemory || p.time != argonTime || p.threads != argonThreads), nil
}

type argonHash struct {
	memory, time uint32
	threads      uint8
	salt, key    []byte
}

func parseArgon(hash string) (argonHash, error) {
	var p argonHash
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, ErrBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, ErrBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &p.threads); err != nil ||
		p.memory == 0 || p.memory > 256*1024 || p.time == 0 || p.time > 10 || p.threads == 0 {
		return p, ErrBadHash
	}
	var err error
	if p.salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil {
		return p, ErrBadHash
	}
	p.key, err = base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(p.key) == 0 || len(p.key) > 64 {
		return p, ErrBadHash
	}
	return p, nil
}
