package admin

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"espacefamille/app/billing"
	"espacefamille/app/booking"
	"espacefamille/app/branding"
	"espacefamille/app/calendar"
	"espacefamille/app/families"
	"espacefamille/app/news"
)

// auditCall is what one audit(…) call of the code records.
type auditCall struct {
	pos              string
	actions, objects []string
	fields           []string // map keys written in its before/after
}

// recordedAuditCalls reads every audit(…) call of app/ (non-test files):
// its action and object, literal or assigned to a variable in the
// calling function (assignments and comparisons with literals), and the
// keys of the maps it records.
func recordedAuditCalls(t *testing.T) []auditCall {
	t.Helper()
	fset := token.NewFileSet()
	var funcs []*ast.FuncDecl
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			if fn, ok := decl.(*ast.FuncDecl); ok && fn.Body != nil {
				funcs = append(funcs, fn)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Packages that journal through a function value (families.AuditFunc:
	// ctx, tx, action, id, before, after, now) name their action third.
	var viaFunc []string
	for _, fn := range funcs {
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 7 {
				return true
			}
			name := ""
			switch f := call.Fun.(type) {
			case *ast.Ident:
				name = f.Name
			case *ast.SelectorExpr:
				name = f.Sel.Name
			}
			if name == "audit" {
				viaFunc = append(viaFunc, stringValues(funcs, fn, call.Args[2], 0)...)
			}
			return true
		})
	}
	var calls []auditCall
	for _, fn := range funcs {
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) < 8 {
				return true
			}
			if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "audit" {
				return true
			}
			c := auditCall{pos: fset.Position(call.Pos()).String(),
				actions: stringValues(funcs, fn, call.Args[3], 0), objects: stringValues(funcs, fn, call.Args[4], 0)}
			if len(c.actions) == 0 {
				// An adapter whose action is its function value's parameter.
				c.actions = viaFunc
			}
			for _, arg := range call.Args[6:8] {
				c.fields = append(c.fields, mapKeys(arg)...)
			}
			calls = append(calls, c)
			return true
		})
	}
	if len(calls) < 20 {
		t.Fatalf("found only %d audit calls: the scan is broken", len(calls))
	}
	return calls
}

// stringValues are the string literals expr can hold within fn: a
// literal, a variable assigned or compared with literals, or a parameter
// of fn, followed to every call of fn (depth bounds the chase).
func stringValues(funcs []*ast.FuncDecl, fn *ast.FuncDecl, expr ast.Expr, depth int) []string {
	if lit, ok := expr.(*ast.BasicLit); ok && lit.Kind == token.STRING {
		s, _ := strconv.Unquote(lit.Value)
		return []string{s}
	}
	id, ok := expr.(*ast.Ident)
	if !ok || depth > 3 {
		return nil
	}
	var out []string
	lit := func(e ast.Expr) {
		if l, ok := e.(*ast.BasicLit); ok && l.Kind == token.STRING {
			// "" is a guard (choice == ""), never a recorded kind.
			if s, _ := strconv.Unquote(l.Value); s != "" {
				out = append(out, s)
			}
		}
	}
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.AssignStmt:
			for i, l := range x.Lhs {
				if li, ok := l.(*ast.Ident); ok && li.Name == id.Name && i < len(x.Rhs) {
					lit(x.Rhs[i])
				}
			}
		case *ast.BinaryExpr:
			if xi, ok := x.X.(*ast.Ident); ok && xi.Name == id.Name && (x.Op == token.EQL || x.Op == token.NEQ) {
				lit(x.Y)
			}
		}
		return true
	})
	// A parameter: what every caller passes at its position.
	pos := -1
	i := 0
	for _, field := range fn.Type.Params.List {
		for _, name := range field.Names {
			if name.Name == id.Name {
				pos = i
			}
			i++
		}
	}
	if pos < 0 {
		return out
	}
	for _, caller := range funcs {
		ast.Inspect(caller.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || pos >= len(call.Args) {
				return true
			}
			if cid, ok := call.Fun.(*ast.Ident); ok && cid.Name == fn.Name.Name && fn.Recv == nil {
				out = append(out, stringValues(funcs, caller, call.Args[pos], depth+1)...)
			}
			return true
		})
	}
	return out
}

// mapKeys are the string keys of the map literals within expr.
func mapKeys(expr ast.Expr) []string {
	var out []string
	ast.Inspect(expr, func(n ast.Node) bool {
		cl, ok := n.(*ast.CompositeLit)
		if !ok {
			return true
		}
		if _, ok := cl.Type.(*ast.MapType); !ok {
			return true
		}
		for _, e := range cl.Elts {
			if kv, ok := e.(*ast.KeyValueExpr); ok {
				if l, ok := kv.Key.(*ast.BasicLit); ok && l.Kind == token.STRING {
					s, _ := strconv.Unquote(l.Value)
					out = append(out, s)
				}
			}
		}
		return true
	})
	return out
}

// jsonKeys are the keys (leaves and containers) v records as JSON.
func jsonKeys(t *testing.T, v any) []string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var x any
	if err := json.Unmarshal(b, &x); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(any)
	walk = func(x any) {
		switch y := x.(type) {
		case map[string]any:
			for k, c := range y {
				out = append(out, k)
				walk(c)
			}
		case []any:
			for _, c := range y {
				walk(c)
			}
		}
	}
	walk(x)
	return out
}

// The journal speaks French: every action and kind of object the code
// records, and every field it records, has a French label. Adding an
// audit(…) call with a new action, object or map key, or a field to a
// recorded type, without its label fails here.
func TestEveryAuditKindHasAFrenchLabel(t *testing.T) {
	missing := map[string][]string{}
	calls := recordedAuditCalls(t)
	seen := map[string]bool{}
	for _, c := range calls {
		for _, a := range c.actions {
			seen[a] = true
		}
	}
	// The attendance's actions come through recordAttendance's parameter:
	// the scan follows it to its callers' comparisons.
	for _, a := range []string{"present", "absent", "justified", "create", "refund", "import_create", "import_update", "import"} {
		if !seen[a] {
			t.Errorf("the scan did not find the recorded action %q", a)
		}
	}
	for _, c := range calls {
		if len(c.actions) == 0 || len(c.objects) == 0 {
			t.Errorf("%s: cannot tell what this audit call records (use literals or a variable assigned literals)", c.pos)
		}
		for _, a := range c.actions {
			if auditActions[a] == "" {
				missing["action "+a] = append(missing["action "+a], c.pos)
			}
		}
		for _, o := range c.objects {
			if auditObjects[o].Label == "" {
				missing["object "+o] = append(missing["object "+o], c.pos)
			}
		}
		for _, k := range c.fields {
			if _, ok := auditFields[normKey(k)]; !ok {
				missing["field "+k] = append(missing["field "+k], c.pos)
			}
		}
	}
	// The values recorded whole (their JSON fields).
	recorded := []any{families.Family{}, families.Guardian{}, families.Child{}, news.Item{}, booking.Regie{}, booking.PaymentSettings{},
		booking.PrestationInput{Audience: booking.Audience{Schools: []int64{1}}}, []calendar.Bracket{{}}, booking.Surcharge{},
		branding.Logo{}, billing.Refund{}, billing.RunReport{}, families.Summary{}}
	for _, v := range recorded {
		for _, k := range jsonKeys(t, v) {
			if _, ok := auditFields[normKey(k)]; !ok {
				name := "field " + k
				missing[name] = append(missing[name], reflect.TypeOf(v).String())
			}
		}
	}
	for _, k := range settingKeys {
		if _, ok := auditFields[normKey(k)]; !ok {
			missing["setting "+k] = append(missing["setting "+k], "settingKeys")
		}
	}
	var names []string
	for k := range missing {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		t.Errorf("no French label for the recorded %s (%s)", k, strings.Join(missing[k], ", "))
	}
	for k := range auditObjects {
		found := false
		for _, o := range auditObjectOrder {
			found = found || o == k
		}
		if !found {
			t.Errorf("object %s is missing from the journal's filter", k)
		}
	}
}

// The journal's lines as a secretary reads them.
func TestAuditEntryInFrench(t *testing.T) {
	cases := []struct {
		name        string
		entry       AuditEntry
		title       string
		wantChanges []string
	}{
		{"a news item created reads as one French sentence with its fields",
			AuditEntry{Action: "create", Entity: "news", EntityID: "2", After: `{"ID":2,"Title":"Grève","Body":"","PublishedFrom":"2026-03-04","PublishedUntil":""}`},
			"Création de l'actualité n° 2",
			[]string{"Identifiant : 2", "Texte : (vide)", "Publiée du : 04/03/2026", "Publiée jusqu'au : (vide)", "Titre : Grève"}},
		{"an update shows only what changed, before → after",
			AuditEntry{Action: "update", Entity: "child", EntityID: "7", Before: `{"FirstName":"Léa","PAI":false,"ClassName":"CP"}`, After: `{"FirstName":"Léa","PAI":true,"ClassName":"CE1"}`},
			"Modification de l'enfant n° 7",
			[]string{"Classe : CP → CE1", "PAI : non → oui"}},
		{"attendance names the day, not a path of ids",
			AuditEntry{Action: "present", Entity: "attendance", EntityID: "2026-03-04/3/12", After: `{"child":"Fille FAMILLE X","status":"present","unbooked":false,"justified":false}`},
			"Pointage : présent du 04/03/2026",
			[]string{"Enfant : Fille FAMILLE X", "Justifiée : non", "État : présent", "Sans réservation : non"}},
		{"a prestation's brackets are numbered and priced in euros",
			AuditEntry{Action: "update", Entity: "prestation", EntityID: "4", Before: `{"brackets":[{"MaxQF":500,"Cents":250}]}`, After: `{"brackets":[{"MaxQF":600,"Cents":1530}]}`},
			"Modification de la prestation n° 4",
			[]string{"Tranche de QF 1 – Prix : " + calendar.FormatEuros(250) + " → " + calendar.FormatEuros(1530), "Tranche de QF 1 – QF maximum : 500 → 600"}},
		{"the zone, a bare value, is named after the setting",
			AuditEntry{Action: "update", Entity: "settings", EntityID: "zone", Before: `"A"`, After: `"B"`},
			"Modification des paramètres",
			[]string{"Zone : A → B"}},
		{"a monthly invoicing run names its month",
			AuditEntry{Action: "run", Entity: "invoicing", EntityID: "2026-02", After: `{"Regies":1,"Created":3,"Existing":0,"Skipped":0,"TotalCents":4590}`},
			"Lancement de la facturation de février 2026",
			[]string{"Factures créées : 3", "Factures déjà faites : 0", "Régies : 1", "Familles sans montant : 0", "Total : " + calendar.FormatEuros(4590)}},
		{"a closure deleted names its day",
			AuditEntry{Action: "delete", Entity: "closure", EntityID: "2026-03-04"},
			"Suppression de la fermeture du 04/03/2026", nil},
		{"deadlines read in words",
			AuditEntry{Action: "update", Entity: "prestation", EntityID: "1", Before: `{"prestation":{"Booking":"workdays:2@10:00"}}`, After: `{"prestation":{"Booking":"days:1@18:00"}}`},
			"Modification de la prestation n° 1",
			[]string{"Prestation – Délai de réservation : jusqu'à 2 jours ouvrés avant, 10h00 → jusqu'à la veille, 18h00"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.entry.Title(); got != tc.title {
				t.Errorf("title %q, want %q", got, tc.title)
			}
			var got []string
			for _, c := range tc.entry.Changes() {
				if c.Changed {
					got = append(got, c.Field+" : "+c.Before+" → "+c.After)
				} else {
					got = append(got, c.Field+" : "+c.After)
				}
			}
			sort.Strings(got)
			want := append([]string(nil), tc.wantChanges...)
			sort.Strings(want)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// Whatever the journal holds (rows written by older versions, hand-edited
// JSON), its French rendering never fails and names every field.
func FuzzAuditEntryInFrench(f *testing.F) {
	f.Add("update", "prestation", "4", `{"brackets":[{"MaxQF":500,"Cents":250}]}`, `{"brackets":[]}`)
	f.Add("present", "attendance", "2026-03-04/3/12", ``, `{"child":"Léa","status":"present"}`)
	f.Add("update", "settings", "zone", `"A"`, `"B"`)
	f.Add("run", "invoicing", "2026-13", `null`, `[1,{"x":{"":true}}]`)
	f.Fuzz(func(t *testing.T, action, entity, id, before, after string) {
		e := AuditEntry{Action: action, Entity: entity, EntityID: id, Before: before, After: after}
		if e.Title() == "" {
			t.Fatal("empty title")
		}
		for _, c := range e.Changes() {
			if c.Field == "" {
				t.Fatalf("a change without its field: %+v", c)
			}
		}
	})
}
