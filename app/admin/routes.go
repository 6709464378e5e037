package admin

import (
	"github.com/gofiber/fiber/v2"

	"espacefamille/app/web"
)

// routes is the back office's route table. Order matters: the log-in and
// set-password pages come before requireStaff; every configuration change
// carries requireAdmin (agents get a French 403).
func (a *Admin) routes(g fiber.Router) {
	adm := a.requireAdmin
	// Staff log-in and set-password forms are small (web.SmallForm); the
	// imports keep the global limit.
	small := web.SmallForm

	g.Get("/connexion", a.showLogin)
	g.Post("/connexion", small, a.login)
	g.Get("/mot-de-passe/:token", a.showSetPassword)
	g.Post("/mot-de-passe/:token", small, a.setPassword)

	g.Use(a.requireStaff)
	g.Post("/deconnexion", small, a.logout)
	g.Get("/", a.showDashboard)
	g.Get("/taches/:id", a.showJob)

	g.Get("/agents", adm, a.showStaff)
	g.Post("/agents", adm, a.inviteStaff)
	g.Post("/agents/:id", adm, a.updateStaff)
	g.Post("/agents/:id/invitation", adm, a.reinviteStaff)
	g.Get("/journal", adm, a.showAudit)
	g.Get("/paniers", a.showPendingCarts)
	g.Get("/courriels", adm, a.showFailedMails)
	g.Post("/courriels/:id/renvoyer", adm, a.retryMail)

	g.Get("/familles", a.listFamilies)
	g.Get("/familles/nouvelle", adm, a.newFamily)
	g.Post("/familles", adm, a.createFamily)
	g.Get("/familles/import", adm, a.showImport)
	g.Post("/familles/import", adm, a.previewImport)
	g.Post("/familles/import/:id", adm, a.confirmImport)
	g.Post("/familles/invitations", adm, a.inviteAllPending)
	g.Get("/familles/:id", a.showFamily)
	g.Get("/familles/:id/modifier", adm, a.editFamily)
	g.Post("/familles/:id", adm, a.updateFamily)
	g.Post("/familles/:id/responsables", adm, a.saveGuardian)
	g.Post("/familles/:id/responsables/:gid/supprimer", adm, a.deleteGuardian)
	g.Get("/familles/:id/enfants/nouveau", adm, a.newChild)
	g.Post("/familles/:id/enfants", adm, a.createChild)
	g.Get("/familles/:id/enfants/:cid", adm, a.editChild)
	g.Post("/familles/:id/enfants/:cid", adm, a.updateChild)
	g.Get("/familles/:id/enfants/:cid/garde", a.showCustody)
	g.Post("/familles/:id/enfants/:cid/garde/foyers", adm, a.shareChild)
	g.Post("/familles/:id/enfants/:cid/garde/foyers/:fid/retirer", adm, a.unshareChild)
	g.Post("/familles/:id/enfants/:cid/garde/alternance", adm, a.setAlternation)
	g.Post("/familles/:id/enfants/:cid/garde/periodes", adm, a.addCustodyPeriod)
	g.Post("/familles/:id/enfants/:cid/garde/periodes/:pid/supprimer", adm, a.deleteCustodyPeriod)
	g.Post("/familles/:id/codes", adm, a.issueCode)
	g.Post("/familles/:id/invitation", adm, a.inviteFamily)
	g.Post("/familles/:id/comptes/:aid/delier", adm, a.unlinkAccount)

	g.Get("/absences", a.showAbsences)
	g.Get("/absences/certificats/:id", a.showAbsenceCertificate)
	g.Get("/absences/regle", adm, a.showAbsenceRule)
	g.Post("/absences/regle", adm, a.saveAbsenceRule)
	g.Get("/fiches", a.showRecords)
	g.Get("/enfants/:cid/fiche", a.showChildRecord)
	g.Post("/fiches/:id/:decision", a.decideRecord)

	g.Get("/regies", a.listRegies)
	g.Get("/regies/nouvelle", adm, a.newRegie)
	g.Post("/regies", adm, a.saveRegie)
	g.Get("/regies/:id", adm, a.editRegie)
	g.Post("/regies/:id", adm, a.saveRegie)
	g.Get("/prestations", a.listPrestations)
	g.Get("/prestations/nouvelle", adm, a.newPrestation)
	g.Post("/prestations", adm, a.savePrestation)
	g.Get("/prestations/:id", adm, a.editPrestation)
	g.Post("/prestations/:id", adm, a.savePrestation)

	g.Get("/calendrier", a.showCalendar)
	g.Post("/calendrier/zone", adm, a.setZone)
	g.Post("/calendrier/import", adm, a.importHolidays)
	g.Post("/calendrier/fermetures", adm, a.previewClosure)
	g.Post("/calendrier/fermetures/confirmer", adm, a.confirmClosure)
	g.Post("/calendrier/fermetures/:day/supprimer", adm, a.deleteClosure)
	g.Post("/calendrier/fermetures-partielles/:id/supprimer", adm, a.deletePartialClosure)

	g.Get("/actualites", a.listNews)
	g.Post("/actualites", adm, a.saveNews)
	g.Get("/actualites/:id", adm, a.editNews)
	g.Post("/actualites/:id", adm, a.saveNews)
	g.Post("/actualites/:id/supprimer", adm, a.deleteNews)

	g.Get("/cuisine", a.showKitchen)
	g.Get("/cuisine.csv", a.kitchenCSV)
	g.Get("/pointage", a.showAttendance)
	g.Post("/pointage", a.markAttendance)
	g.Post("/pointage/liste", a.markAttendanceList)

	g.Get("/finances", adm, a.showMoney)
	g.Get("/finances/export.csv", adm, a.moneyCSV)
	g.Get("/finances/facturation", adm, a.previewInvoicing)
	g.Post("/finances/facturation", adm, a.runInvoicing)
	g.Get("/finances/avoirs", adm, a.showCredits)
	g.Post("/finances/remboursements", adm, a.refundCredit)

	g.Get("/parametres", adm, a.showSettings)
	g.Post("/parametres", adm, a.saveSettings)
	g.Post("/parametres/logo", adm, a.uploadLogo)
	g.Post("/parametres/logo/supprimer", adm, a.removeLogo)
	g.Get("/parametres/familles", adm, a.showFamilySettings)
	g.Post("/parametres/familles", adm, a.saveFamilySettings)
	g.Get("/notifications", adm, a.showNotifications)
	g.Post("/notifications", adm, a.saveNotifications)
}
