package custody

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

// A custody calendar agreed by both parents: one household proposes an
// alternation or a period, the other accepts (the calendar changes as if
// the mairie had set it) or refuses. A new proposal of a household
// replaces its pending one.

// Proposal kinds.
const (
	ProposeAlternation = "alternation"
	ProposePeriod      = "period"
)

// Proposal is a change of the custody calendar one household proposes.
type Proposal struct {
	ID         int64
	ChildID    int64
	ProposedBy int64
	Kind       string
	EvenWeeks  int64 // alternation: the household of even weeks
	FamilyID   int64 // period: the household that keeps it
	First      calendar.Date
	Last       calendar.Date
	CreatedAt  time.Time
}

// Text says the proposal to familyID: "semaines paires chez vous,
// semaines impaires chez l'autre parent", "du 19/12/2026 au 27/12/2026
// chez l'autre parent".
func (p Proposal) Text(familyID int64) string {
	at := func(id int64) string {
		if id == familyID {
			return "chez vous"
		}
		return "chez l'autre parent"
	}
	if p.Kind == ProposeAlternation {
		other := "chez vous"
		if p.EvenWeeks == familyID {
			other = "chez l'autre parent"
		}
		return "semaines paires " + at(p.EvenWeeks) + ", semaines impaires " + other
	}
	return "du " + p.First.FR() + " au " + p.Last.FR() + " " + at(p.FamilyID)
}

// Pending lists the child's pending proposals, oldest first.
func Pending(ctx context.Context, q tenants.Querier, childID int64) ([]Proposal, error) {
	return tenants.All(ctx, q, func(row tenants.Row) (Proposal, error) {
		var p Proposal
		var even, fam sql.NullInt64
		var created string
		err := row.Scan(&p.ID, &p.ChildID, &p.ProposedBy, &p.Kind, &even, &fam, &p.First, &p.Last, &created)
		p.EvenWeeks, p.FamilyID, p.CreatedAt = even.Int64, fam.Int64, tenants.StoredTime(created)
		return p, err
	}, `SELECT id, child_id, proposed_by, kind, even_family_id, family_id, COALESCE(first_day, ''), COALESCE(last_day, ''), created_at
		FROM custody_proposals WHERE child_id = ? AND status = 'pending' ORDER BY id`, childID)
}

// Propose records a household's proposal for a shared child, replacing
// its pending one. The proposal is checked as the mairie's change would
// be (households of the child, dates).
func Propose(ctx context.Context, tx tenants.Querier, p Proposal, now time.Time) (int64, error) {
	c, err := Load(ctx, tx, p.ChildID)
	if err != nil {
		return 0, err
	}
	if !c.Shared() || !c.Household(p.ProposedBy) {
		return 0, ErrNotFound
	}
	var even, fam, first, last any
	switch p.Kind {
	case ProposeAlternation:
		if !c.Household(p.EvenWeeks) {
			return 0, &Invalid{"Choisissez qui garde l'enfant les semaines paires."}
		}
		even = p.EvenWeeks
	case ProposePeriod:
		if err := checkPeriod(c, p.FamilyID, p.First, p.Last); err != nil {
			return 0, err
		}
		fam, first, last = p.FamilyID, p.First, p.Last
	default:
		return 0, &Invalid{"Proposition inconnue."}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE custody_proposals SET status = 'withdrawn', decided_at = ? WHERE child_id = ? AND proposed_by = ? AND status = 'pending'`,
		tenants.FormatTime(now), p.ChildID, p.ProposedBy); err != nil {
		return 0, fmt.Errorf("custody: withdraw proposals: %w", err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO custody_proposals (child_id, proposed_by, kind, even_family_id, family_id, first_day, last_day, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, p.ChildID, p.ProposedBy, p.Kind, even, fam, first, last, tenants.FormatTime(now))
	if err != nil {
		return 0, fmt.Errorf("custody: propose: %w", err)
	}
	return res.LastInsertId()
}

// ErrOwnProposal: a household cannot accept its own proposal.
var ErrOwnProposal = &Invalid{"Cette proposition est la vôtre : l'autre parent doit l'accepter."}

// Decide accepts or refuses, for the household familyID, a pending
// proposal of the other household of the child; accepted, it changes
// the custody calendar in the same transaction.
func Decide(ctx context.Context, tx tenants.Querier, childID, proposalID, familyID int64, accept bool, now time.Time) (Proposal, error) {
	list, err := Pending(ctx, tx, childID)
	if err != nil {
		return Proposal{}, err
	}
	var p Proposal
	for _, one := range list {
		if one.ID == proposalID {
			p = one
		}
	}
	c, err := Load(ctx, tx, childID)
	switch {
	case err != nil:
		return p, err
	case p.ID == 0 || !c.Household(familyID):
		return p, ErrNotFound
	case p.ProposedBy == familyID:
		return p, ErrOwnProposal
	}
	status := "refused"
	if accept {
		status = "accepted"
		if p.Kind == ProposeAlternation {
			odd := c.Home
			if p.EvenWeeks == c.Home {
				odd = c.Others[0]
			}
			err = SetAlternation(ctx, tx, childID, p.EvenWeeks, odd, now)
		} else {
			_, err = AddPeriod(ctx, tx, childID, p.FamilyID, p.First, p.Last, now)
		}
		if err != nil {
			return p, err
		}
	}
	if err := tenants.ExecOne(ctx, tx, errDecidedMeanwhile, `UPDATE custody_proposals SET status = ?, decided_at = ?
		WHERE id = ? AND status = 'pending'`, status, tenants.FormatTime(now), p.ID); err != nil {
		return p, fmt.Errorf("custody: decide proposal %d: %w", p.ID, err)
	}
	return p, nil
}
