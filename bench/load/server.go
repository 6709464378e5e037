package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app"
	"espacefamille/app/accounts"
	"espacefamille/app/auth"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/demo"
	"espacefamille/app/families"
	"espacefamille/tenants"
)

// The pay journey's server is a process of its own (this program started
// with -server-child), so that the clients' CPU is not counted as the
// server's: it builds the demo commune with N families in the data
// directory, each with a parent account and a real session, serves the
// whole application (app.New, the simulator allowed) on loopback, writes
// setup.json for the clients and prints "ready". SIGUSR1 starts the CPU
// profile (when asked); SIGTERM stops it, writes the writer's accounting
// to writer.json and shuts down.

// setupInfo is what the clients need (setup.json).
type setupInfo struct {
	Base     string       `json:"base"`
	Regie    int64        `json:"regie"`
	Meal     int64        `json:"meal"`
	From     string       `json:"from"` // ISO dates of the booked window
	To       string       `json:"to"`
	Meals    int          `json:"meals"` // meals each family books
	Families []familyInfo `json:"families"`
}

type familyInfo struct {
	ID    int64  `json:"id"`
	Child int64  `json:"child"`
	Token string `json:"token"` // the session cookie's value
}

// writerReport is the writer's accounting during the run (writer.json).
type writerReport struct {
	Stats []tenants.TxStat `json:"stats"`
}

func runServerChild(cfg config, dir, profile string) error {
	ctx := context.Background()
	now := time.Now()
	reg, db, closeDemo, err := openDemo(ctx, dir, now)
	if err != nil {
		return err
	}
	defer closeDemo()
	info, err := setupPay(ctx, reg, db, cfg, now)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	tenants.MeasureWriterCPU(true) // the writer's CPU per step (printWriter)
	s, err := app.New(ctx, app.Config{Registry: reg, Logger: quiet, AllowSimulator: true, PublicURL: base, Before: labelStep})
	if err != nil {
		return err
	}
	go func() { _ = s.App.Listener(ln) }()
	info.Base = base + "/" + demo.Slug
	if err := writeJSON(filepath.Join(dir, "setup.json"), info); err != nil {
		return err
	}

	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGUSR1, syscall.SIGTERM)
	fmt.Println("ready")
	var prof *os.File
	for sig := range sigs {
		if sig == syscall.SIGUSR1 {
			if profile != "" && prof == nil {
				if prof, err = os.Create(profile); err != nil {
					return err
				}
				if err := pprof.StartCPUProfile(prof); err != nil {
					return err
				}
			}
			continue
		}
		break
	}
	if prof != nil {
		pprof.StopCPUProfile()
		prof.Close()
	}
	if err := writeJSON(filepath.Join(dir, "writer.json"), writerReport{Stats: db.WriterStats()}); err != nil {
		return err
	}
	return s.App.ShutdownWithTimeout(5 * time.Second)
}

func writeJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

// labelStep names the journey's step of each request, for the writer's
// accounting (tenants.WithTxLabel) and the CPU profile (pprof label
// "step": go tool pprof -tagfocus / -tags).
func labelStep(c *fiber.Ctx) error {
	step := stepOf(c.Method(), c.Path())
	ctx := pprof.WithLabels(tenants.WithTxLabel(c.UserContext(), step), pprof.Labels("step", step))
	c.SetUserContext(ctx)
	pprof.SetGoroutineLabels(ctx)
	defer pprof.SetGoroutineLabels(context.Background())
	return c.Next()
}

// stepOf maps a request of the journey to its step's name.
func stepOf(method, path string) string {
	path = strings.TrimPrefix(path, "/"+demo.Slug)
	get := method == fiber.MethodGet
	switch {
	case path == "/famille" && get:
		return "home"
	case path == "/famille/reservations" && get:
		return "agenda"
	case path == "/famille/reservations/periode" && get:
		return "periodform"
	case path == "/famille/reservations/periode":
		return "period"
	case path == "/famille/paiement":
		return "validate"
	case strings.HasPrefix(path, "/paiement/simulateur/"):
		if get {
			return "payform"
		}
		return "card"
	case path == "/famille/paiement/retour":
		return "return"
	case strings.HasPrefix(path, "/famille/paiement/") && strings.HasSuffix(path, "/choix"):
		if get {
			return "choice"
		}
		return "choose"
	case strings.HasPrefix(path, "/famille/paiement/") && get:
		return "receipt"
	}
	return "other"
}

// setupPay sets the meal's capacity, adds the families (one child, a
// parent account linked to it, a live session each) and chooses the
// window: four weeks (-weeks) from the Monday after next at the earliest
// in which every Monday, Tuesday, Thursday and Friday is open for the
// meal (no holiday, public holiday or closure).
func setupPay(ctx context.Context, reg *tenants.Registry, db *tenants.DB, cfg config, now time.Time) (setupInfo, error) {
	var info setupInfo
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT p.regie_id, p.id FROM prestations p JOIN regies r ON r.id = p.regie_id
			WHERE p.name = 'REPAS CLASSIQUE ENFANT' AND r.mode = 'prepaid'`).Scan(&info.Regie, &info.Meal); err != nil {
			return fmt.Errorf("the demo's prepaid meal: %w", err)
		}
		return setCapacity(ctx, tx, info.Meal, cfg.capacity)
	})
	if err != nil {
		return info, err
	}
	from, err := openWindow(ctx, db, info.Regie, info.Meal, calendar.Today(now).Monday().AddDays(14), cfg.weeks)
	if err != nil {
		return info, err
	}
	info.From, info.To, info.Meals = from.String(), from.AddDays(7*cfg.weeks-3).String(), 4*cfg.weeks

	// One password hash for every account: an argon2 hash per account
	// would only slow the set-up down; nobody logs in with it here.
	hash, err := auth.HashPassword(ctx, "une phrase de passe solide")
	if err != nil {
		return info, err
	}
	created := now.Add(-time.Hour)
	acc := make([]int64, cfg.families)
	err = reg.Platform().Tx(ctx, func(tx *sql.Tx) error {
		for i := range acc {
			id, err := accounts.CreateConfirmedAccount(ctx, tx, accounts.Signup{Email: fmt.Sprintf("parent.l%04d@example.org", i),
				LastName: fmt.Sprintf("FAMILLE L%04d", i), FirstName: "Parent"}, hash, created)
			if err != nil {
				return err
			}
			acc[i] = id
		}
		return nil
	})
	if err != nil {
		return info, err
	}
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		for i := range cfg.families {
			name := fmt.Sprintf("FAMILLE L%04d", i)
			fam, child, err := seedFamily(ctx, tx, name, fmt.Sprintf("parent.l%04d@example.org", i), created)
			if err != nil {
				return err
			}
			if err := families.LinkAccount(ctx, tx, fam, acc[i], created); err != nil {
				return err
			}
			info.Families = append(info.Families, familyInfo{ID: fam, Child: child})
		}
		return nil
	})
	if err != nil {
		return info, err
	}
	for i := range info.Families {
		if info.Families[i].Token, err = accounts.OpenSession(ctx, db, acc[i], now); err != nil {
			return info, err
		}
	}
	return info, nil
}

// openWindow returns the first Monday from start whose weeks have every
// meal day open.
func openWindow(ctx context.Context, db *tenants.DB, regie, meal int64, start calendar.Date, weeks int) (calendar.Date, error) {
	cal, err := booking.LoadCalendar(ctx, db.Reader())
	if err != nil {
		return start, err
	}
	list, err := booking.Prestations(ctx, db.Reader(), regie)
	if err != nil {
		return start, err
	}
	var p booking.Prestation
	for _, x := range list {
		if x.ID == meal {
			p = x
		}
	}
	for m := start; m.Before(start.AddDays(366)); m = m.AddDays(7) {
		ok := true
		for w := range weeks {
			for _, d := range []int{0, 1, 3, 4} {
				if open, _ := booking.DayOpen(p, m.AddDays(7*w+d), cal); !open {
					ok = false
				}
			}
		}
		if ok {
			return m, nil
		}
	}
	return start, errors.New("no window of open meal days within a year")
}
