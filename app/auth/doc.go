// Package auth holds what the authentication of parents, staff and
// provider administrators shares: tokens (NewToken, HashToken: one stored
// form for all three), password hashing (argon2id, with bcrypt hashes of
// older staff accounts still accepted and replaced at log-in), the bound on how many password
// hashes are computed at once, and the rate limits of log-ins and codes
// over a counters table.
//
// It imports nothing of the project: the tables live in the packages that
// own them (the platform's throttles for parents, the commune's
// staff_login_failures for staff) and are named when a Throttle is built.
package auth
