package custody

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"espacefamille/app/accounts"
	"espacefamille/app/families"
	"espacefamille/app/mail"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// The custody emails (issue 14), queued in the commune's outbox in the
// transaction of the change they tell: a proposal to the other household,
// its answer to the proposing household, and a change the mairie makes to
// both households. Each household reads the change from its own side
// ("chez vous", "chez l'autre parent"), never the other household's name.

// ProposalMail is the binding of the custody emails.
type ProposalMail struct {
	CommuneName string
	Child       string // the child's first name
	Text        string // the proposal or the change, from the reader's side
	Accepted    bool   // custody_decision: the proposal was accepted
	Link        string // the child's custody page
}

// Change says a change of a child's custody calendar to one household.
type Change func(familyID int64) string

// AlternationChange is the mairie setting the even weeks at household
// even (0: the alternation is removed).
func AlternationChange(even int64) Change {
	return func(familyID int64) string {
		if even == 0 {
			return "l'alternance des semaines paires et impaires est retirée"
		}
		return Proposal{Kind: ProposeAlternation, EvenWeeks: even}.Text(familyID)
	}
}

// PeriodChange is the mairie adding period p (removed: deleting it).
func PeriodChange(p Period, removed bool) Change {
	return func(familyID int64) string {
		text := Proposal{Kind: ProposePeriod, FamilyID: p.FamilyID, First: p.First, Last: p.Last}.Text(familyID)
		if removed {
			return "la période " + text + " est supprimée"
		}
		return "période " + text
	}
}

// notice is one custody email to some households.
type notice struct {
	kind, subject string
	accepted      bool
	text          Change
}

// queue queues, in tx, the notice to each address of each household (the
// family's and its parents' accounts').
func (n notice) queue(ctx context.Context, tx *sql.Tx, srv *web.Server, com tenants.Commune, child families.Child, households []int64, now time.Time) error {
	from := mail.SenderName(ctx, tx, com.Name)
	link := srv.CommuneURL(com, "/famille/garde/"+strconv.FormatInt(child.ID, 10))
	for _, fam := range households {
		to, err := accounts.FamilyRecipients(ctx, tx, srv.Registry.Platform().Reader(), fam)
		if err != nil {
			return err
		}
		text, html, err := mail.Render(n.kind, ProposalMail{CommuneName: com.Name, Child: child.FirstName, Text: n.text(fam), Accepted: n.accepted, Link: link})
		if err != nil {
			return err
		}
		for _, addr := range to {
			if _, err := mail.Enqueue(ctx, tx, mail.Message{Kind: n.kind, To: addr, FromName: from, Subject: n.subject, Text: text, HTML: html}, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// tellOtherParent queues, in tx, the email that asks the other household
// to accept or refuse p.
func (svc *Service) tellOtherParent(ctx context.Context, tx *sql.Tx, com tenants.Commune, child families.Child, p Proposal, other int64) error {
	n := notice{kind: "custody_proposal", subject: "Garde de " + child.FirstName + " : proposition de l'autre parent", text: p.Text}
	return n.queue(ctx, tx, svc.srv, com, child, []int64{other}, svc.now())
}

// tellProposer queues, in tx, the answer to p for the household that
// proposed it.
func (svc *Service) tellProposer(ctx context.Context, tx *sql.Tx, com tenants.Commune, child families.Child, p Proposal, accepted bool) error {
	subject := "Garde de " + child.FirstName + " : l'autre parent a refusé votre proposition"
	if accepted {
		subject = "Garde de " + child.FirstName + " : l'autre parent a accepté votre proposition"
	}
	n := notice{kind: "custody_decision", subject: subject, accepted: accepted, text: p.Text}
	return n.queue(ctx, tx, svc.srv, com, child, []int64{p.ProposedBy}, svc.now())
}

// TellCalendarChanged queues, in tx, the email that tells every household
// of the child that the mairie changed its custody calendar.
func TellCalendarChanged(ctx context.Context, tx *sql.Tx, srv *web.Server, com tenants.Commune, child families.Child, change Change, now time.Time) error {
	cal, err := LoadFor(ctx, tx, child.ID, child.FamilyID)
	if err != nil {
		return err
	}
	n := notice{kind: "custody_changed", subject: "Garde de " + child.FirstName + " : la mairie a modifié le calendrier", text: change}
	return n.queue(ctx, tx, srv, com, child, append([]int64{cal.Home}, cal.Others...), now)
}
