package booking

import (
	"context"
	"database/sql"
	"encoding/json"

	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

// communeConfig is what configures booking in a commune: its régies, their
// prestations with price brackets, and its calendar. It is built once per
// configuration version and shared, read-only, by every request of the
// open commune (see tenants.DB.Memo): the agenda, the period and the
// validation read it instead of six queries each.
type communeConfig struct {
	regies      []Regie                // régies that sell at least one prestation, in order
	regieByID   map[int64]Regie        // every régie
	prestations map[int64][]Prestation // by régie, in order
	byID        map[int64]Prestation
	cal         *calendar.Calendar
	version     int64 // the configuration version it was read at (loadConfig)
}

// configKey is the Memo key of the booking configuration.
const configKey = "booking.config"

// loadConfig returns the commune's booking configuration as of q (the
// read pool, or a write transaction for an exact view), from memory while
// the configuration version has not moved.
func loadConfig(ctx context.Context, db *tenants.DB, q tenants.Querier) (*communeConfig, error) {
	v, err := tenants.ConfigVersion(ctx, q)
	if err != nil {
		return nil, err
	}
	cfg, err := db.Memo(configKey, v, func() (any, error) {
		cfg, err := readConfig(ctx, q)
		if err == nil {
			cfg.version = v
		}
		return cfg, err
	})
	if err != nil {
		return nil, err
	}
	return cfg.(*communeConfig), nil
}

// configIn returns the configuration as of q, from the handle's memory
// when q is a transaction of DB.Tx (another package's, such as billing's
// payment): reading it anew cost about 0.4 ms of the writer's time per
// call in the deadline rush (issue 10).
func configIn(ctx context.Context, q tenants.Querier) (*communeConfig, error) {
	if tx, ok := q.(*sql.Tx); ok {
		if db := tenants.TxDB(tx); db != nil {
			return loadConfig(ctx, db, db.InTx(tx))
		}
	}
	return readConfig(ctx, q)
}

// readConfig reads the booking configuration through q.
func readConfig(ctx context.Context, q tenants.Querier) (*communeConfig, error) {
	cfg := &communeConfig{regieByID: map[int64]Regie{}, prestations: map[int64][]Prestation{}, byID: map[int64]Prestation{}}
	var err error
	if cfg.regies, err = Regies(ctx, q); err != nil {
		return nil, err
	}
	all, err := AllRegies(ctx, q)
	if err != nil {
		return nil, err
	}
	for _, r := range all {
		cfg.regieByID[r.ID] = r
	}
	for id := range cfg.regieByID {
		list, err := Prestations(ctx, q, id)
		if err != nil {
			return nil, err
		}
		cfg.prestations[id] = list
		for _, p := range list {
			cfg.byID[p.ID] = p
		}
	}
	if cfg.cal, err = LoadCalendar(ctx, q); err != nil {
		return nil, err
	}
	return cfg, nil
}

// regie returns one régie, or ErrNotFound.
func (c *communeConfig) regie(id int64) (Regie, error) {
	r, ok := c.regieByID[id]
	if !ok {
		return Regie{ID: id}, ErrNotFound
	}
	return r, nil
}

// prestation returns one prestation, or ErrNotFound.
func (c *communeConfig) prestation(id int64) (Prestation, error) {
	p, ok := c.byID[id]
	if !ok {
		return Prestation{ID: id}, ErrNotFound
	}
	return p, nil
}

// jsonIDs encodes identifiers for `IN (SELECT value FROM json_each(?))`:
// one SQL text whatever their number, so that the statement is prepared
// once (tenants.Q) instead of once per list length.
func jsonIDs(ids []int64) string {
	b, _ := json.Marshal(ids)
	return string(b)
}
