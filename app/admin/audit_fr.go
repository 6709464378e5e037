package admin

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/app/web"
)

// The journal speaks French: every action and object kind the code
// records (audit calls) has a label here, and TestEveryAuditKindHasAFrenchLabel
// fails when a new one is recorded without it.

// auditActions names each recorded action as the noun that opens a
// journal line ("Création de l'actualité n° 2").
var auditActions = map[string]string{
	"create":         "Création",
	"update":         "Modification",
	"delete":         "Suppression",
	"import":         "Import",
	"import_create":  "Création par import",
	"import_update":  "Mise à jour par import",
	"issue_code":     "Nouveau code d'adhésion",
	"invite":         "Invitation",
	"reinvite":       "Nouvelle invitation",
	"unlink_account": "Compte parent délié",
	"password_set":   "Mot de passe choisi",
	"run":            "Lancement",
	"refund":         "Remboursement",
	"present":        "Pointage : présent",
	"absent":         "Pointage : absent",
	"justified":      "Pointage : absence justifiée",
	"retry":          "Nouvel envoi",
	"share_child":    "Garde partagée : second foyer rattaché",
	"unshare_child":  "Garde partagée : second foyer détaché",
	"custody":        "Calendrier de garde",
	"validate":       "Validation",
	"refuse":         "Refus",
	"withdraw":       "Retrait (enfant présent au pointage)",
	"purge":          "Suppression à la fin de la durée de conservation",
}

// auditObject is how the journal names a kind of object: in the filter
// (Label), after the action ("de l'actualité"), and its identifier.
type auditObject struct {
	Label string
	Of    string
	// id formats the stored identifier ("n° 2" by default).
	id func(string) string
}

func numbered(id string) string {
	if id == "" {
		return ""
	}
	return "n° " + id
}

func onDay(id string) string {
	if d, err := calendar.ParseISO(id); err == nil {
		return "du " + d.FR()
	}
	return numbered(id)
}

var frenchMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
	"septembre", "octobre", "novembre", "décembre"}

func ofMonth(id string) string {
	if t, err := time.Parse("2006-01", id); err == nil {
		return "de " + frenchMonths[t.Month()-1] + " " + strconv.Itoa(t.Year())
	}
	return id
}

// auditObjects are the kinds of objects, in the filter's order.
var auditObjects = map[string]auditObject{
	"family":               {"Familles", "de la famille", numbered},
	"guardian":             {"Responsables", "du responsable", numbered},
	"child":                {"Enfants", "de l'enfant", numbered},
	"staff":                {"Agents", "de l'agent", numbered},
	"regie":                {"Régies", "de la régie", numbered},
	"prestation":           {"Prestations", "de la prestation", numbered},
	"closure":              {"Fermetures", "de la fermeture", onDay},
	"school_holidays":      {"Vacances scolaires", "des vacances scolaires", func(z string) string { return "(zone " + z + ")" }},
	"news":                 {"Actualités", "de l'actualité", numbered},
	"settings":             {"Paramètres", "des paramètres", func(k string) string { return "" }},
	"logo":                 {"Logo", "du logo", numbered},
	"attendance":           {"Pointage", "", nil},
	"invoicing":            {"Facturation", "de la facturation", ofMonth},
	"credit":               {"Avoirs", "de l'avoir de la famille", numbered},
	"email":                {"Emails", "de l'email", numbered},
	"child_record":         {"Fiches des enfants", "de la fiche de l'enfant", numbered},
	"menu":                 {"Menus", "des menus", menuDays},
	"absence":              {"Absences signalées", "de l'absence signalée", absenceDay},
	"absence_certificates": {"Certificats médicaux", "des certificats médicaux", func(string) string { return "" }},
}

// absenceDay is "du 07/12/2026" for an absence recorded as
// "day/prestation/child".
func absenceDay(id string) string {
	day, _, _ := strings.Cut(id, "/")
	return onDay(day)
}

// menuDays is "du 07/12/2026" for one day's menu, "(5 jours)" for an
// import.
func menuDays(id string) string {
	if d, err := calendar.ParseISO(id); err == nil {
		return "du " + d.FR()
	}
	return "(" + id + ")"
}

// auditObjectOrder is the filter's order.
var auditObjectOrder = []string{"family", "guardian", "child", "staff", "regie", "prestation", "closure",
	"school_holidays", "news", "settings", "logo", "attendance", "invoicing", "credit", "email", "child_record", "menu",
	"absence", "absence_certificates"}

// Title is the entry in one French sentence: "Création de l'actualité n° 2",
// "Pointage : présent du 04/03/2026".
func (e AuditEntry) Title() string {
	act, ok := auditActions[e.Action]
	if !ok {
		act = "Action « " + e.Action + " »"
	}
	obj, ok := auditObjects[e.Entity]
	if !ok {
		return act + " (" + e.Entity + " " + e.EntityID + ")"
	}
	if e.Entity == "attendance" {
		// entity_id is "YYYY-MM-DD/prestation/child"; the details name them.
		day, _, _ := strings.Cut(e.EntityID, "/")
		return strings.TrimSpace(act + " " + onDay(day))
	}
	s := act + " " + obj.Of
	if obj.id != nil {
		if id := obj.id(e.EntityID); id != "" {
			s += " " + id
		}
	}
	return s
}

// AuditChange is one line of an entry's details: "Nom : A → B", or
// "Nom : A" when the object was created or deleted.
type AuditChange struct {
	Field, Before, After string
	Changed              bool // Before → After; otherwise After alone (or Before for a deletion)
}

// Changes lists what the entry changed, field by field, in French.
func (e AuditEntry) Changes() []AuditChange {
	before, after := flattenAudit(e.Before, e.EntityID), flattenAudit(e.After, e.EntityID)
	keys := map[string]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	order := make([]string, 0, len(keys))
	for k := range keys {
		order = append(order, k)
	}
	// What names the object first (name, title, reason, child…), then the
	// rest by French label.
	sort.Slice(order, func(i, j int) bool {
		ri, rj := leadRank(order[i]), leadRank(order[j])
		if ri != rj {
			return ri < rj
		}
		return fieldPath(order[i]) < fieldPath(order[j])
	})
	var out []AuditChange
	for _, k := range order {
		b, inB := before[k]
		a, inA := after[k]
		switch {
		case e.Before == "" && inA:
			out = append(out, AuditChange{Field: fieldPath(k), After: a})
		case e.After == "" && inB:
			out = append(out, AuditChange{Field: fieldPath(k), After: b})
		case b != a:
			if !inB {
				b = "(vide)"
			}
			if !inA {
				a = "(vide)"
			}
			out = append(out, AuditChange{Field: fieldPath(k), Before: b, After: a, Changed: true})
		}
	}
	return out
}

// leadFields are shown first, in this order.
var leadFields = []string{"name", "lastname", "firstname", "title", "child", "status", "reason", "scope", "email", "to", "subject"}

func leadRank(path string) int {
	leaf := path[strings.LastIndex(path, ".")+1:]
	for i, k := range leadFields {
		if normKey(leaf) == k {
			return i
		}
	}
	return len(leadFields)
}

// flattenAudit reads a stored JSON value into leaf paths ("prestation.Name",
// "brackets.0.MaxQF") and their French display. A bare value (the zone)
// is named after the entry's id.
func flattenAudit(js, id string) map[string]string {
	out := map[string]string{}
	if js == "" {
		return out
	}
	var v any
	if err := json.Unmarshal([]byte(js), &v); err != nil {
		out["valeur"] = js
		return out
	}
	var walk func(path, key string, v any)
	walk = func(path, key string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				walk(joinPath(path, k), k, c)
			}
		case []any:
			if len(x) == 0 {
				out[path] = "(aucun)"
			}
			var scalars []string
			for i, c := range x {
				if _, ok := c.(map[string]any); ok {
					walk(joinPath(path, strconv.Itoa(i)), key, c)
				} else {
					scalars = append(scalars, auditValue(key, c))
				}
			}
			if len(scalars) > 0 {
				out[path] = strings.Join(scalars, ", ")
			}
		default:
			out[path] = auditValue(key, x)
		}
	}
	if _, ok := v.(map[string]any); ok {
		walk("", "", v)
	} else {
		key := id
		if key == "" {
			key = "valeur"
		}
		walk(key, key, v)
	}
	return out
}

func joinPath(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

var isoDay = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// auditValue shows a stored value in French: amounts in euros, dates
// JJ/MM/AAAA, booleans oui/non, deadlines in words, codes translated.
func auditValue(key string, v any) string {
	norm := normKey(key)
	switch x := v.(type) {
	case nil:
		return "(vide)"
	case bool:
		if x {
			return "oui"
		}
		return "non"
	case float64:
		if strings.HasSuffix(norm, "cents") || norm == "price" {
			return calendar.FormatEuros(int64(x))
		}
		if norm == "weekdays" {
			return calendar.WeekdaySet(uint8(x)).String()
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		if x == "" {
			return "(vide)"
		}
		if isoDay.MatchString(x) {
			if d, err := calendar.ParseISO(x); err == nil {
				return d.FR()
			}
		}
		if t, err := time.Parse(time.RFC3339, x); err == nil && len(x) > 10 {
			return web.FormatDateTime(t)
		}
		if norm == "booking" || norm == "cancel" || strings.HasSuffix(norm, "deadline") {
			if d, err := calendar.ParseDeadline(x); err == nil {
				return d.Phrase()
			}
		}
		if l, ok := auditCodes[x]; ok {
			return l
		}
		return x
	}
	return fmt.Sprint(v)
}

// auditCodes translate the stored codes that appear as values.
var auditCodes = map[string]string{
	"prepaid": "prépaiement", "postpaid": "post-paiement", "daily": "à la journée", "forfait": "forfait",
	"admin": "administrateur", "agent": "agent", "present": "présent", "absent": "absent",
	"simulator": "simulateur de paiement", "payfip": "PayFiP", "month": "mois", "school_period": "période scolaire",
	"school_year": "année scolaire", "percent": "pourcentage", "fixed": "montant fixe", "cheque": "chèque",
	"transfer": "virement", "day": "par jour", "site": "par jour et par site",
	"meal": "repas", "session": "à la séance",
}

// normKey makes "PublishedFrom", "published_from" and "publishedFrom" one key.
func normKey(k string) string {
	return strings.ToLower(strings.ReplaceAll(k, "_", ""))
}

// fieldPath labels a flattened path: "prestation.Name" → "Prestation – Nom",
// "brackets.1.MaxQF" → "Tranche de QF 2 – QF maximum".
func fieldPath(path string) string {
	parts := strings.Split(path, ".")
	var out []string
	for _, p := range parts {
		if n, err := strconv.Atoi(p); err == nil && len(out) > 0 {
			out[len(out)-1] += " " + strconv.Itoa(n+1)
			continue
		}
		out = append(out, fieldLabel(p))
	}
	return strings.Join(out, " – ")
}

// fieldLabel is a stored field's French label; an unknown one shows as
// stored, between quotes (the table test keeps them all known).
func fieldLabel(k string) string {
	if l, ok := auditFields[normKey(k)]; ok {
		return l
	}
	return "« " + k + " »"
}

// auditFields are the French labels of the fields the journal records,
// by normalised key (normKey).
var auditFields = map[string]string{
	"cutoffreminder": "Rappel avant la date limite de réservation", "newinvoice": "Nouvelle facture",
	"paymentfailed": "Paiement refusé ou abandonné", "remindertime": "Heure d'envoi du rappel",
	"daysbefore": "Jours avant la date limite",
	"valeur":     "Valeur", "id": "Identifiant", "name": "Nom", "email": "Adresse email", "phone": "Téléphone",
	"address": "Adresse", "postalcode": "Code postal", "city": "Commune", "externalref": "N° famille",
	"qf": "Quotient familial", "qfvalue": "Quotient familial", "qffrom": "QF valable du", "qfuntil": "QF valable jusqu'au",
	"qfvalidfrom": "QF valable du", "qfvaliduntil": "QF valable jusqu'au",
	"familyid": "Famille n°", "civility": "Civilité", "lastname": "Nom", "firstname": "Prénom",
	"birthdate": "Date de naissance", "schoolid": "École n°", "schoolname": "École", "classname": "Classe",
	"pai": "PAI", "homebasket": "Panier repas", "diet": "Régime alimentaire",
	"label": "Libellé", "accountid": "Compte parent n°", "role": "Rôle", "disabled": "Désactivé",
	"title": "Titre", "body": "Texte", "publishedfrom": "Publiée du", "publisheduntil": "Publiée jusqu'au",
	"regie": "Régie", "regieid": "Régie n°", "mode": "Mode", "invoiceprefix": "Préfixe des factures",
	"provider": "Paiement", "legalmentions": "Mentions légales", "position": "Ordre", "numcli": "N° client PayFiP",
	"saisie": "Mode de saisie PayFiP", "endpoint": "Adresse du service PayFiP", "paymenturl": "Adresse de paiement",
	"prestation": "Prestation", "kind": "Type", "category": "Catégorie", "forfaitkind": "Période du forfait", "weekdays": "Jours",
	"payment":        "Paramètres de paiement",
	"exclusivegroup": "Groupe exclusif", "pricecents": "Prix", "capacity": "Capacité", "capacityscope": "Capacité comptée",
	"booking": "Délai de réservation", "cancel": "Délai d'annulation", "validfrom": "Valable du", "validuntil": "Valable jusqu'au",
	"audience": "Public", "schools": "Écoles", "classes": "Classes", "brackets": "Tranche de QF", "maxqf": "QF maximum",
	"cents": "Prix", "surcharge": "Majoration", "value": "Valeur",
	"reason": "Motif", "cancelled": "Réservations annulées", "families": "Familles prévenues", "forfaits": "Forfaits crédités",
	"forfaitcreditcents": "Crédit des forfaits", "pendingorders": "Commandes en attente de paiement libérées", "scope": "Portée",
	"file": "Fichier", "count": "Nombre", "zone": "Zone",
	"sendername": "Nom de l'expéditeur", "contactemail": "Adresse email de contact",
	"accessibilitycompliance": "Conformité RGAA", "accessibilityauditdate": "Date de l'audit d'accessibilité",
	"privacynotice": "Mentions de confidentialité", "waitingdays": "Jours de carence",
	"contenttype": "Format", "sha256": "Empreinte", "size": "Taille (octets)", "width": "Largeur (px)", "height": "Hauteur (px)",
	"child": "Enfant", "status": "État", "unbooked": "Sans réservation", "justified": "Justifiée",
	"regies": "Régies", "created": "Factures créées", "existing": "Factures déjà faites", "skipped": "Familles sans montant",
	"totalcents": "Total", "refund": "Remboursement", "amountcents": "Montant", "day": "Date", "means": "Moyen",
	"reference": "Référence", "balancecents": "Avoir disponible",
	"summary": "Bilan", "rows": "Lignes", "invalid": "Lignes en erreur", "newfamilies": "Familles créées",
	"updatedfamilies": "Familles mises à jour", "newchildren": "Enfants ajoutés", "updatedchildren": "Enfants mis à jour",
	"newguardians": "Responsables ajoutés", "noted": "Lignes avec remarque",
	"prestations": "Prestations", "hasqf": "Quotient familial connu", "lasterror": "Erreur", "to": "Destinataire", "subject": "Objet", "invitedat": "Invitée le", "present": "Présents", "absent": "Absents",
	"paiuntil": "PAI valable jusqu'au", "deadline": "Heure limite le jour même", "carence": "Jours de carence",
	"certificate": "Certificat médical", "enabled": "Absences en ligne",
	"months": "Conservation des certificats (mois)", "reservation": "Réservation", "credittakenbackcents": "Avoir repris",
	"creditnottakenbackcents": "Avoir déjà utilisé, non repris", "deleted": "Supprimés", "retentionmonths": "Durée de conservation (mois)",
}
