package admin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	appmail "espacefamille/app/mail"
	"espacefamille/app/names"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// inviteValidFor is how long a set-password link lasts, as its email says.
const inviteValidFor = "7 jours"

// NewStaff is a member to add to a commune's staff.
type NewStaff struct {
	Email string
	Name  string
	Role  string // RoleAdmin or RoleAgent
}

// Errors of AddStaff and InviteStaffAgain, for the command line.
var (
	ErrStaffExists = errors.New("cette adresse est déjà celle d'un agent de la commune")
	ErrNoSuchStaff = errors.New("aucun agent de la commune n'a cette adresse")
)

// StaffInvalidError lists what is wrong with a NewStaff, in French, by
// field ("email", "name", "role").
type StaffInvalidError struct{ Fields map[string]string }

func (e *StaffInvalidError) Error() string {
	var parts []string
	for _, f := range []string{"email", "name", "role"} {
		if m, ok := e.Fields[f]; ok {
			parts = append(parts, f+" : "+m)
		}
	}
	return strings.Join(parts, " ; ")
}

// normalize trims and lower-cases the email and tidies the name's spaces
// (names.Tidy: what validate judges is kept).
func (n NewStaff) normalize() NewStaff {
	n.Email = strings.ToLower(strings.TrimSpace(n.Email))
	n.Name = names.Tidy(n.Name)
	return n
}

// Validate reports what is wrong with n (a *StaffInvalidError), or nil.
func (n NewStaff) Validate() error {
	if errs := n.normalize().validate(); len(errs) > 0 {
		return &StaffInvalidError{Fields: errs}
	}
	return nil
}

// validate returns the French message of each field that is wrong.
func (n NewStaff) validate() formErrors {
	errs := formErrors{}
	if addr, err := mail.ParseAddress(n.Email); err != nil || addr.Address != n.Email {
		errs.add("email", "Saisissez une adresse email valide.")
	}
	// The product's one name rule (names.Check): one line, no control or
	// invisible character, a letter, 200 characters at most.
	switch name, problem := names.Check(n.Name, 200); {
	case name == "":
		errs.add("name", "Saisissez le nom de la personne.")
	case problem != "":
		errs.add("name", problem)
	}
	if !validRole(n.Role) {
		errs.add("role", "Choisissez un rôle.")
	}
	return errs
}

func validRole(r string) bool { return r == RoleAdmin || r == RoleAgent }

// StaffInvitation is a set-password link issued to a member and queued
// by email.
type StaffInvitation struct {
	Member Staff
	Link   string
}

// AddStaff adds a member to the commune's staff and queues their
// invitation email with a set-password link (valid 7 days), in tx.
// publicURL is the node's base URL for the link (web.CommuneURL); actor is
// who does it (nil: the command line, "système" in the audit log).
func AddStaff(ctx context.Context, tx *sql.Tx, c tenants.Commune, publicURL string, n NewStaff, actor *Staff, now time.Time) (StaffInvitation, error) {
	n = n.normalize()
	if errs := n.validate(); len(errs) > 0 {
		return StaffInvitation{}, &StaffInvalidError{Fields: errs}
	}
	if _, err := staffByEmail(ctx, tx, n.Email); err == nil {
		return StaffInvitation{}, ErrStaffExists
	} else if !errors.Is(err, ErrNotFound) {
		return StaffInvitation{}, err
	}
	id, err := insertStaff(ctx, tx, n, now)
	if err != nil {
		return StaffInvitation{}, err
	}
	st := Staff{ID: id, Email: n.Email, Name: n.Name, Role: n.Role}
	inv, err := queueStaffInvitation(ctx, tx, c, publicURL, st, now)
	if err != nil {
		return inv, err
	}
	return inv, audit(ctx, tx, actor, "create", "staff", id, nil, map[string]string{"email": n.Email, "name": n.Name, "role": n.Role}, now)
}

func insertStaff(ctx context.Context, tx *sql.Tx, n NewStaff, now time.Time) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO staff (email, name, role, created_at) VALUES (?, ?, ?, ?)`, n.Email, n.Name, n.Role, tenants.FormatTime(now))
	if err != nil {
		return 0, fmt.Errorf("admin: create staff: %w", err)
	}
	return res.LastInsertId()
}

// AddStaffWithPassword adds a member whose password is already chosen
// (hash from auth.HashPassword): the demo's administrator. No invitation
// is sent.
func AddStaffWithPassword(ctx context.Context, tx *sql.Tx, n NewStaff, hash string, now time.Time) (int64, error) {
	n = n.normalize()
	if errs := n.validate(); len(errs) > 0 {
		return 0, &StaffInvalidError{Fields: errs}
	}
	if _, err := staffByEmail(ctx, tx, n.Email); err == nil {
		return 0, ErrStaffExists
	} else if !errors.Is(err, ErrNotFound) {
		return 0, err
	}
	id, err := insertStaff(ctx, tx, n, now)
	if err != nil {
		return 0, err
	}
	return id, setStaffPassword(ctx, tx, id, hash)
}

// InviteStaffAgain sends a member a new set-password link (valid 7 days;
// the unused ones stop working): a lost invitation, a forgotten password,
// or an emergency from the command line, which also enables a disabled
// member again. A role other than "" becomes the member's.
func InviteStaffAgain(ctx context.Context, tx *sql.Tx, c tenants.Commune, publicURL, email, role string, actor *Staff, now time.Time) (StaffInvitation, error) {
	st, err := staffByEmail(ctx, tx, strings.ToLower(strings.TrimSpace(email)))
	if errors.Is(err, ErrNotFound) {
		return StaffInvitation{}, ErrNoSuchStaff
	} else if err != nil {
		return StaffInvitation{}, err
	}
	return reinvite(ctx, tx, c, publicURL, st, role, true, actor, now)
}

// reinvite issues a new link to st, with role when not "", and enabled
// again when enable.
func reinvite(ctx context.Context, tx *sql.Tx, c tenants.Commune, publicURL string, st Staff, role string, enable bool, actor *Staff, now time.Time) (StaffInvitation, error) {
	if role != "" && !validRole(role) {
		return StaffInvitation{}, &StaffInvalidError{Fields: map[string]string{"role": "Choisissez un rôle."}}
	}
	before := map[string]any{"role": st.Role, "disabled": st.Disabled}
	if role != "" {
		st.Role = role
	}
	if enable {
		st.Disabled = false
	}
	if st.Role != before["role"] || st.Disabled != before["disabled"] {
		if _, err := tx.ExecContext(ctx, `UPDATE staff SET role = ?, disabled = ? WHERE id = ?`, st.Role, st.Disabled, st.ID); err != nil {
			return StaffInvitation{}, fmt.Errorf("admin: update staff: %w", err)
		}
	}
	inv, err := queueStaffInvitation(ctx, tx, c, publicURL, st, now)
	if err != nil {
		return inv, err
	}
	return inv, audit(ctx, tx, actor, "reinvite", "staff", st.ID, before,
		map[string]any{"email": st.Email, "role": st.Role, "disabled": st.Disabled}, now)
}

// queueStaffInvitation issues a set-password link and queues its email,
// rendered from templates/mail/staff_invitation.
func queueStaffInvitation(ctx context.Context, tx *sql.Tx, c tenants.Commune, publicURL string, st Staff, now time.Time) (StaffInvitation, error) {
	token, err := createInviteToken(ctx, tx, st.ID, now)
	if err != nil {
		return StaffInvitation{}, err
	}
	inv := StaffInvitation{Member: st, Link: web.CommuneURL(publicURL, c, "/admin/mot-de-passe/"+token)}
	text, html, err := appmail.Render("staff_invitation", map[string]string{"CommuneName": c.Name, "Name": st.Name,
		"Role": st.RoleLabel(), "URL": inv.Link, "Email": st.Email, "ValidFor": inviteValidFor})
	if err != nil {
		return inv, err
	}
	_, err = appmail.Enqueue(ctx, tx, appmail.Message{
		Kind: "staff_invitation", To: st.Email, ToName: st.Name, FromName: appmail.SenderName(ctx, tx, c.Name), Commune: c.Slug,
		Subject: "Votre accès à l'espace des agents – " + c.Name, Text: text, HTML: html,
	}, now)
	return inv, err
}
