package mail_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"espacefamille/tenants"
)

// The outbox exists in the platform's database and in every commune's,
// defined by two sets of migrations; app/mail reads and writes both with
// the same queries. Any change to one must be made to the other: this
// test migrates both from scratch and compares the table, its columns and
// its indexes.
func TestBothOutboxesHaveOneDefinition(t *testing.T) {
	ctx := context.Background()
	schema := func(s *tenants.Schema, name string) string {
		path := filepath.Join(t.TempDir(), name+".db")
		db, err := tenants.OpenDB(path, tenants.OpenOptions{Create: true})
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		if _, _, err := s.Migrate(ctx, path); err != nil {
			t.Fatalf("migrate %s: %v", name, err)
		}
		db, err = tenants.OpenDB(path, tenants.OpenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		q := db.Reader()
		var b strings.Builder
		objects, err := tenants.All(ctx, q, func(r tenants.Row) (string, error) {
			var typ, name, sql string
			err := r.Scan(&typ, &name, &sql)
			return typ + " " + name + ": " + strings.Join(strings.Fields(sql), " "), err
		}, `SELECT type, name, sql FROM sqlite_schema WHERE tbl_name = 'outbox' AND sql IS NOT NULL ORDER BY type, name`)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range objects {
			b.WriteString(o + "\n")
		}
		cols, err := tenants.All(ctx, q, func(r tenants.Row) (string, error) {
			var cid, notNull, pk, hidden int
			var name, typ string
			var dflt *string
			err := r.Scan(&cid, &name, &typ, &notNull, &dflt, &pk, &hidden)
			d := "<none>"
			if dflt != nil {
				d = *dflt
			}
			return fmt.Sprintf("column %d %s %s notnull=%d default=%s pk=%d", cid, name, typ, notNull, d, pk), err
		}, `SELECT cid, name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo('outbox') ORDER BY cid`)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(strings.Join(cols, "\n"))
		if len(objects) < 2 || len(cols) < 10 {
			t.Fatalf("%s: no outbox found:\n%s", name, b.String())
		}
		return b.String()
	}
	platform, commune := schema(tenants.PlatformSchema, "platform"), schema(tenants.CommuneSchema, "commune")
	if platform != commune {
		t.Fatalf("the two outboxes differ\nplatform:\n%s\n\ncommune:\n%s", platform, commune)
	}
}
