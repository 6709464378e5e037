package auth

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

func TestPasswordHash(t *testing.T) {
	ctx := context.Background()
	h, err := HashPassword(ctx, "une phrase de passe")
	if err != nil || !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q, %v", h, err)
	}
	h2, _ := HashPassword(ctx, "une phrase de passe")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	for _, tc := range []struct {
		pw   string
		want bool
	}{{"une phrase de passe", true}, {"une phrase de passe ", false}, {"", false}, {"Une phrase de passe", false}} {
		if ok, rehash, err := CheckPassword(ctx, h, tc.pw); ok != tc.want || rehash || err != nil {
			t.Errorf("CheckPassword(%q) = %v, %v, %v", tc.pw, ok, rehash, err)
		}
	}
	for _, bad := range []string{"", "$2a$10$abc", "$argon2id$v=19$m=999999999,t=2,p=1$AAAA$AAAA", "$argon2id$v=19$m=19456,t=2,p=1$!!$AAAA"} {
		if ok, _, err := CheckPassword(ctx, bad, "x"); ok || err == nil {
			t.Errorf("CheckPassword accepted malformed hash %q", bad)
		}
	}
}

// A staff account from before argon2id keeps its bcrypt hash until its
// next log-in, which asks for a fresh hash.
func TestOldBcryptHashIsAcceptedAndAsksForRehash(t *testing.T) {
	old, err := bcrypt.GenerateFromPassword([]byte("ancien mot de passe"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	ok, rehash, err := CheckPassword(context.Background(), string(old), "ancien mot de passe")
	if !ok || !rehash || err != nil {
		t.Fatalf("right password: ok=%v rehash=%v err=%v, want true, true, nil", ok, rehash, err)
	}
	if ok, _, err := CheckPassword(context.Background(), string(old), "autre chose"); ok || err != nil {
		t.Fatalf("wrong password: ok=%v err=%v", ok, err)
	}
}

// A burst of log-ins never computes more hashes at once than there are
// slots (each argon2id hash holds 19 MiB): 20 goroutines, and the peak
// seen inside the bounded section stays at the bound.
func TestHashesAtOnceAreBounded(t *testing.T) {
	var inside, peak atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			err := withSlot(context.Background(), func() {
				n := inside.Add(1)
				for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
				}
				// Real work, so that the goroutines overlap.
				argon2.IDKey([]byte("une phrase de passe"), []byte("sel de seize oct"), argonTime, argonMemory, argonThreads, argonKeyLen)
				inside.Add(-1)
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if p, limit := peak.Load(), int32(cap(hashSlots)); p > limit || p < 1 {
		t.Fatalf("peak of hashes at once = %d, want between 1 and %d", p, limit)
	}
}

// Every hash goes through the slots: while they are all taken, a log-in's
// check waits, and gives up with its request's context.
func TestCheckPasswordWaitsForASlot(t *testing.T) {
	h, err := HashPassword(context.Background(), "une phrase de passe")
	if err != nil {
		t.Fatal(err)
	}
	for range cap(hashSlots) {
		hashSlots <- struct{}{}
	}
	defer func() {
		for range cap(hashSlots) {
			<-hashSlots
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := CheckPassword(ctx, h, "une phrase de passe"); err == nil {
		t.Fatal("CheckPassword computed a hash while every slot was taken")
	}
	if _, err := HashPassword(ctx, "x"); err == nil {
		t.Fatal("HashPassword computed a hash while every slot was taken")
	}
}
