package news_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"espacefamille/app/apptest"
	"espacefamille/app/news"
	"espacefamille/tenants"
)

func TestValidateAppliesToCreateAndUpdateAlike(t *testing.T) {
	long := strings.Repeat("é", 101) // 202 bytes
	for _, tc := range []struct {
		name    string
		it      news.Item
		wantErr string
	}{
		{"a dated item with title and text is saved", news.Item{Title: " Cantine ", Body: "Menu", PublishedFrom: "2026-09-01"}, ""},
		{"an end date on the start date is fine", news.Item{Title: "T", Body: "B", PublishedFrom: "2026-09-01", PublishedUntil: "2026-09-01"}, ""},
		{"a blank title is refused", news.Item{Title: "  ", Body: "B", PublishedFrom: "2026-09-01"}, "titre"},
		{"an empty text is refused", news.Item{Title: "T", Body: "\n", PublishedFrom: "2026-09-01"}, "texte obligatoires"},
		{"a title over 200 bytes is refused", news.Item{Title: long, Body: "B", PublishedFrom: "2026-09-01"}, "200 caractères"},
		{"no publication date is refused", news.Item{Title: "T", Body: "B"}, "dates de publication incorrectes"},
		{"an end before the start is refused", news.Item{Title: "T", Body: "B", PublishedFrom: "2026-09-02", PublishedUntil: "2026-09-01"}, "dates de publication incorrectes"},
		{"a malformed end date is refused", news.Item{Title: "T", Body: "B", PublishedFrom: "2026-09-02", PublishedUntil: "02/09/2026"}, "dates de publication incorrectes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.it.Validate()
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if !errors.Is(err, news.ErrInvalid) || !strings.Contains(news.Message(err), tc.wantErr) {
				t.Fatalf("Validate = %v, want ErrInvalid with %q", err, tc.wantErr)
			}
		})
	}
}

func TestUpdateAndDeleteGoThroughTheSameRulesAsCreate(t *testing.T) {
	ctx := context.Background()
	db := apptest.EmptyDB(t, tenants.CommuneSchema)
	now := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
	var id int64
	if err := db.Tx(ctx, func(tx *sql.Tx) (err error) {
		id, err = news.Create(ctx, tx, news.Item{Title: "Rentrée", Body: "Bonne rentrée", PublishedFrom: "2026-09-01"}, now)
		return err
	}); err != nil {
		t.Fatal(err)
	}

	// An update that Create would refuse is refused and changes nothing.
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		return news.Update(ctx, tx, news.Item{ID: id, Title: "", Body: "x", PublishedFrom: "2026-09-01"})
	})
	if !errors.Is(err, news.ErrInvalid) {
		t.Fatalf("update with an empty title: %v, want ErrInvalid", err)
	}
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		return news.Update(ctx, tx, news.Item{ID: id, Title: "T", Body: "x", PublishedFrom: "2026-09-03", PublishedUntil: "2026-09-02"})
	})
	if !errors.Is(err, news.ErrInvalid) {
		t.Fatalf("update ending before it starts: %v, want ErrInvalid", err)
	}
	if it, err := news.Load(ctx, db.Reader(), id); err != nil || it.Title != "Rentrée" {
		t.Fatalf("after refused updates: %+v, %v", it, err)
	}

	// A valid update is trimmed and stored; an open end is stored as NULL.
	if err := db.Tx(ctx, func(tx *sql.Tx) error {
		return news.Update(ctx, tx, news.Item{ID: id, Title: "  Rentrée 2026 ", Body: "Texte", PublishedFrom: "2026-09-02", PublishedUntil: "2026-09-30"})
	}); err != nil {
		t.Fatal(err)
	}
	it, err := news.Load(ctx, db.Reader(), id)
	if err != nil || it != (news.Item{ID: id, Title: "Rentrée 2026", Body: "Texte", PublishedFrom: "2026-09-02", PublishedUntil: "2026-09-30"}) {
		t.Fatalf("after update: %+v, %v", it, err)
	}
	if got, err := news.Published(ctx, db.Reader(), "2026-10-01", 10); err != nil || len(got) != 0 {
		t.Fatalf("published after its end: %v, %v", got, err)
	}

	if err := db.Tx(ctx, func(tx *sql.Tx) error {
		return news.Update(ctx, tx, news.Item{ID: id + 1, Title: "T", Body: "B", PublishedFrom: "2026-09-01"})
	}); !errors.Is(err, news.ErrNotFound) {
		t.Fatalf("update of a missing item: %v", err)
	}
	if err := db.Tx(ctx, func(tx *sql.Tx) error { return news.Delete(ctx, tx, id) }); err != nil {
		t.Fatal(err)
	}
	if err := db.Tx(ctx, func(tx *sql.Tx) error { return news.Delete(ctx, tx, id) }); !errors.Is(err, news.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if all, err := news.All(ctx, db.Reader(), 10); err != nil || len(all) != 0 {
		t.Fatalf("after delete: %v, %v", all, err)
	}
}
