package admin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/accounts"
	"espacefamille/app/families"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// issueCode generates (or re-issues) an adhesion code through the accounts
// domain and shows it once to the administrator.
func (a *Admin) issueCode(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	label := families.CleanText(c.FormValue("label"))
	if len(label) > 100 {
		return errInvalid("Le libellé du code est trop long.")
	}
	var code string
	err = a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		fam, err := families.Load(ctx, tx, id)
		if err != nil {
			return err
		}
		if label == "" {
			label = fam.Name
		}
		if code, err = families.IssueCode(ctx, tx, id, label); err != nil {
			return err
		}
		return audit(ctx, tx, currentStaff(c), "issue_code", "family", id, nil, map[string]string{"label": label}, now)
	})
	if err != nil {
		return err
	}
	return backToFamily(c, id, fmt.Sprintf("Nouveau code d'adhésion « %s » : %s (notez-le : il ne sera plus affiché ; les codes actifs du même libellé sont remplacés).", label, code))
}

// inviteFamily issues a fresh code and queues the invitation email.
func (a *Admin) inviteFamily(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	t := tenants.From(c)
	var inv accounts.Invitation
	err = a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		var err error
		inv, err = a.inviteTx(ctx, tx, t.Commune, currentStaff(c), id, now)
		return err
	})
	if errors.Is(err, accounts.ErrNoEmail) {
		return errInvalid("Cette famille n'a pas d'adresse email : ajoutez-en une à la famille ou à un responsable.")
	}
	if errors.Is(err, accounts.ErrFamilyNotFound) {
		return web.ErrNotFound
	}
	if err != nil {
		return err
	}
	a.notify(t.Commune.Slug)
	return backToFamily(c, id, "Invitation envoyée à "+inv.Email+".")
}

func (a *Admin) inviteTx(ctx context.Context, tx *sql.Tx, com tenants.Commune, who *Staff, familyID int64, now time.Time) (accounts.Invitation, error) {
	inv, err := accounts.InviteFamily(ctx, tx, com, familyID, a.srv.CommuneURL(com, "/"), now)
	if err != nil {
		return inv, err
	}
	return inv, audit(ctx, tx, who, "invite", "family", familyID, nil, map[string]string{"email": inv.Email}, now)
}

// inviteAllPending invites, in the background, every family no account is
// linked to yet; each family is its own transaction, so one family without
// an address does not stop the others.
func (a *Admin) inviteAllPending(c *fiber.Ctx) error {
	ids, err := accounts.PendingFamilies(c.UserContext(), db(c).Reader())
	if err != nil {
		return err
	}
	who := *currentStaff(c)
	com := commune(c)
	j := a.startJob(c, "Invitation des familles non liées", "/admin/familles", func(ctx context.Context, d *tenants.DB, j *job) string {
		j.setTotal(len(ids))
		sent := 0
		for _, id := range ids {
			var inv accounts.Invitation
			err := d.Tx(ctx, func(tx *sql.Tx) error {
				var err error
				inv, err = a.inviteTx(ctx, tx, com, &who, id, a.now())
				return err
			})
			switch {
			case err == nil:
				sent++
				j.step("")
			case errors.Is(err, accounts.ErrNoEmail):
				j.step(fmt.Sprintf("%s (n° %d) : pas d'adresse email", inv.FamilyName, id))
			default:
				j.step(fmt.Sprintf("famille n° %d : l'invitation n'a pas pu être envoyée", id))
			}
		}
		a.notify(com.Slug)
		return fmt.Sprintf("%d invitation(s) envoyée(s) sur %d famille(s) non liée(s).", sent, len(ids))
	})
	return web.RedirectTo(c, "/admin/taches/"+j.ID)
}

// unlinkAccount removes the link between a parent's account and the family.
func (a *Admin) unlinkAccount(c *fiber.Ctx) error {
	id, aid, err := idParams(c, "id", "aid")
	if err != nil {
		return err
	}
	err = a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		if err := families.Unlink(ctx, tx, id, aid); err != nil {
			return err
		}
		return audit(ctx, tx, currentStaff(c), "unlink_account", "family", id, map[string]int64{"account_id": aid}, nil, now)
	})
	if err != nil {
		return err
	}
	return backToFamily(c, id, "Le compte n'est plus lié à cette famille.")
}
