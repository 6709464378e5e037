// Package accounts holds the parents' identities (platform-wide accounts),
// their sessions in each commune, and the adhesion form that links an
// account to a family of a commune with a code (the codes and the links
// are app/families' tables, written through families.IssueCode and
// families.LinkWithCode).
//
// Where things live:
//   - platform database: accounts (normalised email, argon2id hash,
//     password_changed_at as the session epoch), memberships (the communes
//     of the adhésion window), one-time email tokens (hashed, one hour) and
//     rate-limit counters (throttles, counted by app/auth's Throttle, which
//     the staff log-in uses too; hashes are app/auth's as well), and the
//     pending email changes of Mon compte (email_changes: hashed one-time
//     link to the new address, 24 hours; the link is the platform's, so
//     any commune opens it);
//   - commune database: sessions (hashed token, idle and absolute expiry),
//     and family_feeds (the hashed token of a family's secret calendar
//     link, served as RFC 5545 by app/ics; the bookings come from
//     app/booking's reader, booking.FeedEvents, handed in as Deps.FeedEvents);
//     it reads family_accounts (the link made by a code) and adhesion_codes,
//     which app/families writes.
//
// A session belongs to one commune's file, so a cookie of commune A means
// nothing on commune B; a new password ends every session opened before it,
// in every commune, because each request compares the session's creation
// with the account's password epoch.
//
// Every change is one transaction; emails are queued in the outbox of the
// database the change is written to (the platform's for account emails,
// marked with the commune they were asked from; the commune's for
// invitations), in the same transaction. FamilyRecipients names who hears
// about a family's bookings and invoices.
//
// Routes (under the commune): /connexion, /deconnexion (POST), /inscription,
// /inscription/formulaire, /inscription/envoyee, /confirmation/{token},
// /mot-de-passe-oublie, /mot-de-passe/{token}, /adhesion,
// /adhesion/confirmee, /famille, /famille/enfants/{id}, /mon-compte (and
// its forms: email, telephone, mot-de-passe, agenda, agenda/revoquer),
// /mon-compte/email/{token}, /agenda/{token}.ics. Other domains guard
// their family pages with RequireFamily and read web.User(c).FamilyID.
package accounts
