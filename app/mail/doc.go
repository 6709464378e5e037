// Package mail is the transactional outbox and the background SMTP sender.
//
// # Outbox
//
// Every database (the platform one and each commune's) has an outbox table.
// A user action that causes an email calls [Enqueue] inside its own write
// transaction, so the action and its email commit or roll back together.
// Nothing is sent at that point; after the commit the caller may call
// [Sender.Notify] with the source's name so the sender drains it at once.
//
// # Rendering
//
// Every email the product sends is rendered by [Render] from
// templates/mail/: <kind>.txt.tmpl is the plain-text part, <kind>.html.tmpl
// defines "body" inside layout.html.tmpl (the HTML part, escaped by
// html/template). Templates call {{euros .Cents}} ("15,30 €") and
// {{datetime .At}} (JJ/MM/AAAA HH:MM:SS, Paris time); dates are
// calendar.Date values printed with .FR. [CheckTemplates] parses them all
// at start-up, so a broken template stops the server instead of its first
// mail; a field the data lacks is an error, never "<no value>". The
// sending package owns the data and the subject; [SenderName] is the
// commune's sender name. A new kind is two template files and a case in
// TestEveryMailKindRenders, which fails for a kind without one.
//
// # Row life cycle
//
//	pending ──claim──▶ sending ──delivered──▶ sent (sent_at set, last_error '')
//	   ▲                  │
//	   └── temporary ─────┤   attempts+1, next_attempt_at = now + backoff, last_error
//	       failure        └── permanent failure, or attempts reach the maximum ──▶ failed
//
// A claim is one short write statement (UPDATE … RETURNING) that moves due rows
// (status 'pending', next_attempt_at <= now) to 'sending' and stamps
// next_attempt_at with the claim time; the SMTP conversation happens outside any
// transaction; the outcome of the whole batch is then written in one short write
// transaction. For a row in 'sending', next_attempt_at therefore holds the claim
// time: a row still 'sending' StuckAfter later (the process died mid-batch) is
// put back to 'pending' and sent again. That is the only case in which a message
// can be delivered twice, and its Message-ID, derived from the source name and
// the row (see [MessageID]), makes the duplicate recognisable.
//
// Back-off after a temporary failure is 30s, 1m, 2m, 4m … capped at 1h, plus up
// to 10% jitter ([Backoff]). After MaxAttempts tries (12 by default, about six
// hours) the row is 'failed'. A 5xx answer to RCPT TO or to the end of DATA
// fails the row at once; a 5xx answer to MAIL FROM is retried, because it
// usually means the operator's SMTP_FROM or account is wrong, which is fixed
// in the configuration, not in the message.
//
// # Sources and scheduling
//
// A node may hold 10,000 commune databases; the sender never scans them all
// every second. It drains:
//   - the platform database on every tick (a cheap indexed read when idle);
//   - a commune as soon as [Sender.Notify] names it;
//   - a commune again when its earliest pending retry falls due (the sender
//     remembers, in memory, the next due time of every source it has drained);
//   - every source returned by [Sources].Sweep, at start-up (crash recovery
//     after a restart, when the in-memory schedule is empty) and then every
//     SweepInterval (5 minutes by default), a few sources at a time so that
//     notified sources never wait behind a long sweep. The periodic sweeps
//     go through [Sources].OpenIfOpen when it is set: a swept commune that
//     is not open (any more) is skipped, never reopened. serve's Sweep
//     lists only the communes the platform registry flags as holding mail
//     (tenants.WorkMail, written before the mail's transaction commits),
//     so it leaves OpenIfOpen unset: every listed commune has mail waiting.
//
// When the SMTP server cannot be reached, the sender pauses for a while
// (30s growing to 2m) instead of trying every source in turn; rows keep their
// own back-off, nothing is lost, and mail goes out when the server is back.
//
// # Demo mode: the built-in mailbox
//
// When SMTP is not configured ([Config.Enabled] is false), the sender uses the
// [Mailbox] transport: it performs no network I/O and "delivers" each message
// into the outbox row itself, which becomes 'sent' exactly as after a real
// delivery. The outbox table is the mailbox: [List] and [Get] read any row in
// any status, newest first, so a demo-only page can show what would have been
// sent (subject, recipient, text and HTML, including codes and links). Marking
// the rows 'sent' also means that configuring SMTP later never sends old demo
// mail to real people.
//
// Logs carry the source name, row id, kind and attempt, never a body or an
// address.
package mail
