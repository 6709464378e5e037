package mail_test

import (
	"html"
	"slices"
	"strings"
	"testing"
	"time"

	"espacefamille/app/billing"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/custody"
	"espacefamille/app/mail"
	"espacefamille/app/reminder"
)

// mailCase is one mail kind rendered from the data its sender passes.
type mailCase struct {
	kind, story string
	data        any
	name        string   // shown raw in the text part, escaped in the HTML part
	want        []string // in both parts, as the reader sees them
	not         []string // in neither part
}

// Every mail kind of templates/mail/ renders, in text and HTML, from the
// data its sender passes, in French: amounts as "15,30 €", dates as
// JJ/MM/AAAA, and a family name with "<" and "&" escaped in the HTML part
// only. A kind added to templates/mail/ without a case here fails.
func TestEveryMailKindRenders(t *testing.T) {
	if err := mail.CheckTemplates(); err != nil {
		t.Fatal(err)
	}
	const (
		commune = "Commune de Malemort du Comtat"
		family  = "FAMILLE <Dupont> & Fils"
		euros   = "15,30\u00a0€"
	)
	child := "Fille " + family
	paidAt := time.Date(2026, time.November, 28, 9, 8, 14, 0, time.UTC) // 10:08:14 in Paris
	meal := func(cents int64, label string) billing.Line {
		return billing.Line{ChildName: child, Prestation: "REPAS CLASSIQUE ENFANT", Day: calendar.DateOf(2026, time.December, 7),
			Label: label, Quantity: 1, UnitCents: cents, AmountCents: cents}
	}
	cases := []mailCase{
		{"invitation", "a family invited with its adhesion code",
			map[string]any{"CommuneName": commune, "Name": family, "URL": "https://malemort.ef.test/", "Code": "KUD31S77V7"},
			family, []string{"Votre code d'adhésion", "KUD31S77V7", "https://malemort.ef.test/"}, nil},
		{"confirmation", "a parent confirms a new account",
			map[string]any{"CommuneName": commune, "Name": "Marie " + family, "URL": "https://malemort.ef.test/confirmation/abc"},
			"Marie " + family, []string{"confirmer votre adresse email", "https://malemort.ef.test/confirmation/abc"}, nil},
		{"email_taken", "someone signs up with a known address",
			map[string]any{"CommuneName": commune, "URL": "https://malemort.ef.test/connexion", "ResetURL": "https://malemort.ef.test/mot-de-passe-oublie"},
			"", []string{"Un compte existe déjà", "https://malemort.ef.test/mot-de-passe-oublie"}, nil},
		{"password_reset", "a parent forgot the password",
			map[string]any{"CommuneName": commune, "Name": "Marie " + family, "URL": "https://malemort.ef.test/mot-de-passe/xyz"},
			"Marie " + family, []string{"valable une heure", "https://malemort.ef.test/mot-de-passe/xyz"}, nil},
		{"email_change", "a parent asks to log in with a new address",
			map[string]any{"CommuneName": commune, "Name": "Marie " + family, "Email": "marie@nouveau.example",
				"URL": "https://malemort.ef.test/mon-compte/email/abc"},
			"Marie " + family, []string{"marie@nouveau.example", "valable 24 heures", "https://malemort.ef.test/mon-compte/email/abc",
				"garde son adresse actuelle"}, nil},
		{"email_changed", "the old address hears that the change is done",
			map[string]any{"CommuneName": commune, "Name": "Marie " + family, "Email": "marie@nouveau.example"},
			"Marie " + family, []string{"vient d'être remplacée par", "marie@nouveau.example", "contactez sans tarder votre mairie"}, nil},
		{"staff_invitation", "an agent is invited to the staff pages",
			map[string]string{"CommuneName": commune, "Name": "Jeanne <Agent> & Co", "Role": "Administrateur",
				"URL": "https://malemort.ef.test/admin/mot-de-passe/t", "Email": "agent@mairie.example", "ValidFor": "7 jours"},
			"Jeanne <Agent> & Co", []string{"avec le rôle Administrateur", "agent@mairie.example", "valable 7 jours"}, nil},
		{"provider_invitation", "a provider administrator is invited to the console",
			map[string]string{"CommuneName": "Console de l'hébergeur", "Email": "ops<1>@hebergeur.example",
				"URL": "https://plateforme.ef.test/plateforme/mot-de-passe/t", "ValidFor": "3 jours"},
			"ops<1>@hebergeur.example", []string{"console de l'hébergeur", "valable 3 jours", "https://plateforme.ef.test/plateforme/mot-de-passe/t", "double authentification"}, nil},
		{"closure", "a closure day cancels a family's meals",
			map[string]any{"CommuneName": commune, "Name": family, "Day": calendar.DateOf(2026, time.December, 7).FR(), "Reason": "Grève",
				"Lines": []string{child + " – REPAS CLASSIQUE ENFANT (" + euros + ")"}, "From": "Mairie de Malemort"},
			family, []string{"fermés le", "07/12/2026", "(Grève)", euros, "Mairie de Malemort"}, nil},
		{"child_record", "the mairie validates a child's record",
			map[string]string{"CommuneName": commune, "Name": family, "Child": "Fille", "Refusal": "", "Link": "https://malemort.ef.test/famille/enfants/1/fiche", "From": "Mairie de Malemort"},
			family, []string{"a validé la fiche de renseignements de Fille", "https://malemort.ef.test/famille/enfants/1/fiche"}, []string{"n'a pas validé"}},
		{"child_record", "the mairie refuses a change of a child's record, with its reason",
			map[string]string{"CommuneName": commune, "Name": family, "Child": "Fille", "Refusal": "Date du PAI illisible", "Link": "https://malemort.ef.test/famille/enfants/1/fiche", "From": "Mairie de Malemort"},
			family, []string{"n'a pas validé les modifications", "« Date du PAI illisible »", "reste celle qui s'applique"}, nil},
		{"payment_receipt", "a cart paid by card",
			billing.Receipt{Commune: commune, Regie: "REGIE CANTINE - prépaiement", Ref: "EF-2026-000123", AmountCents: 1530,
				PaidAt: paidAt, AuthNumber: "A12345", Means: "Carte bancaire", Lines: []billing.Line{meal(765, ""), meal(765, "")}},
			child, []string{"Voici le résumé de votre paiement", "Montant payé", euros, "28/11/2026 10:08:14", "Numéro d'autorisation",
				"A12345", "REPAS CLASSIQUE ENFANT le 07/12/2026, 7,65\u00a0€", "il vaut ticket de paiement"},
			[]string{"Avoir utilisé", "Suite donnée", "après expiration"}},
		{"payment_receipt", "a cancellation-only cart is a validated demande, not a payment",
			billing.Receipt{Commune: commune, Regie: "REGIE CANTINE - prépaiement", Ref: "EF-2026-000124", PaidAt: paidAt,
				Notice: "Annulation confirmée : un avoir de 2,55\u00a0€ est ajouté à votre compte.", Lines: []billing.Line{meal(-255, "Annulation")}},
			child, []string{"Annulation confirmée : un avoir de 2,55\u00a0€ est ajouté à votre compte.", "(Annulation), -2,55\u00a0€"},
			[]string{"Montant payé", "Moyen de paiement", "ticket de paiement", "résumé de votre paiement"}},
		{"payment_receipt", "a payment arrived after expiration becomes credit",
			billing.Receipt{Commune: commune, Regie: "REGIE CANTINE - prépaiement", Ref: "EF-2026-000125", AmountCents: 1530,
				PaidAt: paidAt, Means: "Carte bancaire", Credited: true, Outcome: "reçu après expiration de la demande, le montant est porté en avoir"},
			"", []string{"Montant payé", euros, "Suite donnée à ce paiement : reçu après expiration", "Aucune réservation n'a été faite"}, nil},
		{"waitlist_offer", "a place freed up for the first in line",
			booking.OfferMail{CommuneName: commune, Child: child, Prestation: "REPAS CLASSIQUE ENFANT", Day: calendar.DateOf(2026, time.December, 7),
				Until: "lundi 07/12/2026 à 16h30", Link: "https://malemort.ef.test/famille/reservations?regie=1&enfant=2&semaine=2026-12-07"},
			"", []string{"Une place s'est libérée", "07/12/2026", "gardée pour vous jusqu'au", "lundi 07/12/2026 à 16h30", "https://malemort.ef.test/famille/reservations?regie=1"}, nil},
		{"invoice_available", "the monthly run issues an invoice",
			billing.NewInvoiceMail{CommuneName: commune, Link: "https://malemort.ef.test/famille/factures",
				Unsubscribe: "https://malemort.ef.test/desabonnement?jeton=w", Invoice: billing.Invoice{
					PayerName: "M " + family, Number: "2026-GM-00019", RegieName: "REGIE GARDERIE", TotalCents: 1530,
					IssuedOn: calendar.DateOf(2026, time.December, 1), DueOn: calendar.DateOf(2026, time.December, 31),
					PeriodStart: calendar.DateOf(2026, time.November, 1), PeriodEnd: calendar.DateOf(2026, time.November, 30)}},
			"M " + family, []string{"Une nouvelle facture est disponible", "Facture 2026-GM-00019 (REGIE GARDERIE) du 01/12/2026",
				"du 01/11/2026 au 30/11/2026", euros, "avant le 31/12/2026", "https://malemort.ef.test/famille/factures",
				"Ne plus recevoir les emails « Nouvelle facture »", "https://malemort.ef.test/desabonnement?jeton=w"}, nil},
		{"cutoff_reminder", "nothing booked for Léa next week, two days before the cut-off",
			reminder.Mail{CommuneName: commune, Sentence: reminder.Sentence("Léa <A&B>", calendar.DateOf(2027, time.January, 11),
				time.Date(2027, time.January, 7, 9, 0, 0, 0, time.UTC)), Rule: "RESTAURATION SCOLAIRE : Réservation jusqu'à 2 jours ouvrés avant, 10h00",
				Link: "https://malemort.ef.test/famille/reservations?semaine=2027-01-11", Unsubscribe: "https://malemort.ef.test/desabonnement?jeton=t"},
			"Léa <A&B>", []string{"Rien n'est réservé pour Léa <A&B> la semaine du 11/01 ; réservations ouvertes jusqu'au jeudi 07/01 à 10h00.",
				"Réserver maintenant", "https://malemort.ef.test/famille/reservations?semaine=2027-01-11", "2 jours ouvrés avant, 10h00",
				"Ne plus recevoir les emails « Rappel avant la date limite de réservation »", "https://malemort.ef.test/desabonnement?jeton=t"}, nil},
		{"payment_failed", "a card payment refused for a cart",
			billing.PaymentFailedMail{CommuneName: commune, Regie: "REGIE <CANTINE> & Co", Ref: "EF-2026-000126", AmountCents: 1530,
				Link: "https://malemort.ef.test/famille/reservations", Unsubscribe: "https://malemort.ef.test/desabonnement?jeton=u"},
			"REGIE <CANTINE> & Co", []string{"a été refusé", euros, "EF-2026-000126", "Aucune des réservations demandées n'est validée",
				"https://malemort.ef.test/famille/reservations", "Ne plus recevoir les emails « Paiement refusé ou abandonné »"},
			[]string{"a été abandonné", "La facture reste à régler"}},
		{"payment_failed", "an invoice's payment abandoned on the payment page",
			billing.PaymentFailedMail{CommuneName: commune, Regie: "REGIE GARDERIE", Ref: "EF-2026-000127", AmountCents: 1530, Abandoned: true, Invoice: true,
				Link: "https://malemort.ef.test/famille/factures", Unsubscribe: "https://malemort.ef.test/desabonnement?jeton=v"},
			"", []string{"a été abandonné", "La facture reste à régler", "https://malemort.ef.test/famille/factures"},
			[]string{"Aucune des réservations demandées"}},
		{"custody_proposal", "the other parent proposes a custody calendar (issue 14)",
			custody.ProposalMail{CommuneName: commune, Child: "Lou <b>", Text: "semaines paires chez vous, semaines impaires chez l'autre parent",
				Link: "https://malemort.ef.test/famille/garde/3"},
			"Lou <b>", []string{"propose un changement du calendrier de garde", "semaines paires chez vous", "https://malemort.ef.test/famille/garde/3"}, nil},
		{"custody_decision", "the other parent accepted the proposal (issue 14)",
			custody.ProposalMail{CommuneName: commune, Child: "Lou <b>", Text: "semaines paires chez l'autre parent, semaines impaires chez vous", Accepted: true,
				Link: "https://malemort.ef.test/famille/garde/3"},
			"Lou <b>", []string{"a accepté votre proposition", "semaines impaires chez vous", "Le calendrier de garde est mis à jour", "https://malemort.ef.test/famille/garde/3"},
			[]string{"refusé"}},
		{"custody_decision", "the other parent refused the proposal (issue 14)",
			custody.ProposalMail{CommuneName: commune, Child: "Lou", Text: "du 19/12/2026 au 27/12/2026 chez vous", Link: "https://malemort.ef.test/famille/garde/3"},
			"", []string{"a refusé votre proposition", "du 19/12/2026 au 27/12/2026 chez vous", "ne change pas", "https://malemort.ef.test/famille/garde/3"},
			[]string{"accepté"}},
		{"custody_changed", "the mairie changed the custody calendar (issue 14)",
			custody.ProposalMail{CommuneName: commune, Child: "Lou <b>", Text: "période du 19/12/2026 au 27/12/2026 chez vous", Link: "https://malemort.ef.test/famille/garde/3"},
			"Lou <b>", []string{"La mairie a modifié le calendrier de garde", "période du 19/12/2026 au 27/12/2026 chez vous", "https://malemort.ef.test/famille/garde/3"}, nil},
		{"account_orphaned", "the parent's only commune was archived: the account goes in 30 days (RGPD)",
			map[string]string{"CommuneName": commune, "Name": "Marie " + family, "DeleteOn": "02/01/2027", "URL": "https://ef.test/"},
			"Marie " + family, []string{"n'est plus rattaché à aucune commune", "seront supprimés le", "02/01/2027", "code d'adhésion", "https://ef.test/", "RGPD"}, nil},
	}
	kinds := mail.Kinds()
	for _, kind := range kinds {
		if !slices.ContainsFunc(cases, func(c mailCase) bool { return c.kind == kind }) {
			t.Errorf("mail kind %q has no case in this test", kind)
		}
	}
	for _, tc := range cases {
		t.Run(tc.kind+"/"+tc.story, func(t *testing.T) {
			if !slices.Contains(kinds, tc.kind) {
				t.Fatalf("mail kind %q is missing from templates/mail (have %v)", tc.kind, kinds)
			}
			text, htm, err := mail.Render(tc.kind, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			header := "Espace Famille – " + commune
			if tc.kind == "provider_invitation" { // the console's mail belongs to no commune
				header = "Espace Famille – " + html.EscapeString("Console de l'hébergeur")
			}
			if !strings.Contains(htm, `<html lang="fr">`) || !strings.Contains(htm, header) {
				t.Errorf("the HTML part lacks the layout:\n%s", htm)
			}
			if tc.name != "" {
				if !strings.Contains(text, tc.name) {
					t.Errorf("the text part lacks %q as is:\n%s", tc.name, text)
				}
				if !strings.Contains(htm, html.EscapeString(tc.name)) || strings.Contains(htm, tc.name) {
					t.Errorf("the HTML part does not escape %q:\n%s", tc.name, htm)
				}
			}
			// The wording is checked on what the reader sees.
			for part, body := range map[string]string{"text": text, "html": html.UnescapeString(htm)} {
				if strings.Contains(body, "<no value>") {
					t.Errorf("%s part: a field is missing:\n%s", part, body)
				}
				for _, w := range tc.want {
					if !strings.Contains(body, w) {
						t.Errorf("%s part lacks %q:\n%s", part, w, body)
					}
				}
				for _, n := range tc.not {
					if strings.Contains(body, n) {
						t.Errorf("%s part says %q:\n%s", part, n, body)
					}
				}
			}
		})
	}
	if _, _, err := mail.Render("no_such_kind", nil); err == nil {
		t.Error("an unknown kind rendered")
	}
}

// A field that a template reads and the data lacks is an error, not a
// mail that says "<no value>".
func TestRenderRefusesMissingField(t *testing.T) {
	if _, _, err := mail.Render("closure", map[string]any{"CommuneName": "Commune de Malemort du Comtat", "Name": "FAMILLE X"}); err == nil {
		t.Error("a closure mail without its day rendered")
	}
}
