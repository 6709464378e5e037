package platform

import (
	"database/sql"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/web"
	"espacefamille/tenants"
)

// Console is the hosting provider's console.
type Console struct {
	reg       *tenants.Registry
	publicURL string
	now       func() time.Time
	notify    func(source string)
	// backupDir is ESPACEFAMILLE_BACKUP_DIR ("" : no backup from the
	// console, no archive); archiveRetention how long an archive is kept.
	backupDir        string
	archiveRetention time.Duration
	// totpKey seals the TOTP secrets at rest (nil: stored in clear).
	totpKey *SecretKey
}

// Deps is what the console needs beside the server.
type Deps struct {
	// Notify tells the mail sender that a commune's outbox has new mail.
	Notify func(source string)
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
	// BackupDir is where backups go ("": the console cannot back up nor
	// archive); ArchiveRetention how long an archived commune's data is
	// kept (tenants.DefaultArchiveRetention when 0).
	BackupDir        string
	ArchiveRetention time.Duration
	// TOTPKey seals the administrators' TOTP secrets at rest (nil: in
	// clear); see EncryptTOTPSecrets.
	TOTPKey *SecretKey
}

// Routes adds the console under /plateforme/ of the platform's own host.
func Routes(s *web.Server, d Deps) *Console {
	p := &Console{reg: s.Registry, publicURL: s.PublicURL, now: d.Now, notify: d.Notify,
		backupDir: d.BackupDir, archiveRetention: d.ArchiveRetention, totpKey: d.TOTPKey}
	if p.now == nil {
		p.now = time.Now
	}
	if p.notify == nil {
		p.notify = func(string) {}
	}
	// Cookies of the console (session, CSRF secret) stay under /plateforme/.
	g := s.Platform().Group("/plateforme", web.CookiePath(tenants.ConsolePath+"/"))
	g.Get("/connexion", p.showLogin)
	g.Post("/connexion", web.SmallForm, p.login)
	g.Get("/mot-de-passe/:token", p.showSetPassword)
	g.Post("/mot-de-passe/:token", web.SmallForm, p.setPassword)
	g.Post("/deconnexion", web.SmallForm, p.logout)

	half := p.requireStage(stagePassword) // the password was right; the second factor is to come
	g.Get("/double-authentification", half, p.showVerify)
	g.Post("/double-authentification", web.SmallForm, half, p.verify)
	g.Get("/double-authentification/activation", half, p.showEnrol)
	g.Post("/double-authentification/activation", web.SmallForm, half, p.enrol)

	full := p.requireStage(stageFull)
	g.Get("/", full, p.showCommunes)
	g.Get("/communes.csv", full, p.communesCSV)
	g.Get("/communes/nouvelle", full, p.showOnboard)
	g.Post("/communes/nouvelle", web.SmallForm, full, p.onboard)
	g.Get("/communes/:slug", full, p.showCommune)
	g.Post("/communes/:slug/nom", web.SmallForm, full, p.rename)
	g.Post("/communes/:slug/hotes", web.SmallForm, full, p.setHosts)
	g.Post("/communes/:slug/suspendre", web.SmallForm, full, p.setStatus(tenants.StatusSuspended))
	g.Post("/communes/:slug/reprendre", web.SmallForm, full, p.setStatus(tenants.StatusActive))
	g.Post("/communes/:slug/invitation", web.SmallForm, full, p.resendInvitation)
	g.Post("/communes/:slug/sauvegarde", web.SmallForm, full, p.backupNow)
	g.Post("/communes/:slug/deplacer", web.SmallForm, full, p.move)
	g.Post("/communes/:slug/archiver", web.SmallForm, full, p.retire(false))
	g.Post("/communes/:slug/supprimer", web.SmallForm, full, p.retire(true))
	g.Get("/journal", full, p.showAudit)
	return p
}

func (p *Console) db() *tenants.DB { return p.reg.Platform() }

// audit writes the logged-in administrator's action to the platform log.
func (p *Console) audit(c *fiber.Ctx, action, commune, detail string) error {
	ctx := c.UserContext()
	return p.db().Tx(ctx, func(tx *sql.Tx) error {
		return writeAudit(ctx, tx, current(c).Email, action, commune, detail, p.now())
	})
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
