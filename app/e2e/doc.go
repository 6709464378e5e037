// Package e2e drives the real application in headless Chromium: the
// parents' and staff's journeys, on a phone and on a desktop window, with a
// screenshot of every step.
//
// # Running
//
//	scripts/install-test-deps     # once, as root: Debian's chromium and fonts
//	go test ./app/e2e/            # about 10 s; -run TestHome for one journey
//	go test -short ./...          # skips the browser journeys
//
// Screenshots land in <repo>/test-output/<Test>/<size>/<NN>-<step>.png
// (git-ignored; CI keeps the folder as an artifact). Each run of a test
// empties its folders first. A failed action also saves NN-FAIL-<action>.png.
//
// Without Chromium the journeys skip; with $CI set they fail instead, since
// CI installs it. $CHROMIUM names another binary.
//
// # Writing a journey
//
// A journey is a Test function in this package, in a file named after its
// area (accounts_test.go, booking_test.go, payment_test.go…):
//
//	func TestSignup(t *testing.T) {
//		t.Parallel()
//		h := New(t) // a server over a fresh copy of the demo commune
//		for _, size := range Sizes {
//			t.Run(size.Name, func(t *testing.T) {
//				t.Parallel()
//				tab := h.Tab(t, size) // its own cookies: one tab, one person
//				tab.Go(Commune + "/")
//				tab.Click("Je me connecte")
//				tab.Shot("connexion")
//				tab.Click("Je n'ai pas de compte")
//				tab.Fill("Adresse email", "parent@example.org")
//				tab.Check("J'accepte les factures en ligne")
//				tab.Click("Enregistrer")
//				tab.See("Saisissez le code d'adhésion")
//				tab.Shot("code-adhesion")
//			})
//		}
//	}
//
// What the helpers do:
//
//   - New(t) starts the application in demo mode on 127.0.0.1:0 over a data
//     folder in t.TempDir(), with the demo commune (Malemort du Comtat, the
//     memento's FAMILLE X, code KUD31S77V7, admin log-in in package demo)
//     seeded for today. One server per test: journeys never see each
//     other's accounts or bookings, so they run in parallel. h.Registry
//     reaches the data directly when a journey must set something up that
//     no page does yet; prefer the pages.
//   - h.Tab(t, size) opens a tab in the process's one browser, in a browser
//     context of its own (two tabs of one test are two people: two parents,
//     or a parent and an administrator). Sizes are Phone (390×844, touch,
//     taps instead of clicks) and Desktop (1280×900); size.WithoutJS()
//     disables the page's scripts, to prove a page works without them.
//   - Every action waits for its condition, up to DefaultTimeout (10 s;
//     tab.SetTimeout changes it), then fails the test with the action, the
//     page, what the page offered instead, and a screenshot.
//   - Click(text) clicks the visible link, button, label or summary whose
//     text (or aria-label or value) is exactly text, and waits for the page
//     it opens. ClickSel(css) does the same by CSS selector.
//   - Fill(label, value) finds the field through its <label>'s text (a
//     trailing "*" or ":" ignored), so it also checks the label exists and
//     is tied to the field; selects take the option's text; dates take
//     YYYY-MM-DD. Check(label) and Uncheck(label) tick boxes and radios.
//   - See(text) waits for visible text; NotSee(text) checks its absence now.
//   - Shot(step) runs A11y() and saves the screenshot. A11y() reports, as
//     test errors, the basics every page must meet: lang="fr", a title,
//     one <h1>, unique ids, a label on each field, alt on images, no
//     positive tabindex.
//   - Layout() runs the two checks every visited page must pass, on every
//     size: no sideways scrolling (documentElement.scrollWidth <=
//     innerWidth) and no word broken across two lines (a service name
//     "GARDE|RIE", a tab). Go, every click that opens a page and Shot run
//     it by themselves, reporting each problem once per page as a test
//     error; call it after a script changed the page.
//   - Press(kb.Tab), Focused(), URL(), Path(), Status(), Title(),
//     Eval(js, &out) and Do(chromedp actions…) cover the rest.
//
// Words in journeys are the memento's words (../shared/seed/): a journey
// that clicks "Valider" checks the product says "Valider".
//
// # Adding helpers
//
// Keep helpers generic and in this package's non-test files (harness.go for
// the server, tab.go for actions, js.go for the page-side finders), so that
// every journey can use them: reading the demo mailbox, for instance, is a
// Harness method that returns the last email to an address, built on the
// mailbox page or on the outbox table. A helper takes no *testing.T of its
// own: it fails through its tab or harness, with the page in the message.
package e2e
