package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Size is a browser window: a viewport, and whether it is a touch phone.
type Size struct {
	Name          string // folder of its screenshots: "phone", "desktop"
	Width, Height int64
	Scale         float64 // device pixel ratio
	Mobile        bool    // mobile emulation: touch, taps instead of clicks
	NoScript      bool    // JavaScript disabled in the page
}

// The window sizes every journey runs on.
var (
	Phone   = Size{Name: "phone", Width: 390, Height: 844, Scale: 2, Mobile: true}
	Desktop = Size{Name: "desktop", Width: 1280, Height: 900, Scale: 1}
	// Tablet is a touch tablet held upright, the back office's agents'
	// device.
	Tablet = Size{Name: "tablet", Width: 820, Height: 1180, Scale: 2, Mobile: true}
	// Sizes is Phone and Desktop, for journeys that run on both.
	Sizes = []Size{Phone, Desktop}
)

// WithoutJS is the same window with JavaScript disabled in the page (the
// product must work without it); its screenshots go to "<name>-nojs".
func (s Size) WithoutJS() Size {
	s.NoScript = true
	s.Name += "-nojs"
	return s
}

// DefaultTimeout bounds each action of a tab (a navigation, a click and the
// page it loads, a wait for a text), so that a broken page fails fast.
const DefaultTimeout = 10 * time.Second

// Tab is one browser tab with its own cookies (a separate browser context),
// bound to one test. Its methods fail the test with a clear message, and a
// screenshot "FAIL-…", when an action fails or times out.
type Tab struct {
	t       testing.TB
	h       *Harness
	size    Size
	ctx     context.Context
	timeout time.Duration
	marks   atomic.Int64
	// reported holds the layout problems already reported, by page, so
	// that the automatic checks name each one once.
	reported map[string]bool
}

// Tab opens a new tab of the given size, in a browser context of its own
// (two tabs never share cookies: two tabs are two people). It closes at the
// end of the test t, which may be a subtest of the harness's test.
func (h *Harness) Tab(t testing.TB, size Size) *Tab {
	t.Helper()
	parent := requireBrowser(t)
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	tab := &Tab{t: t, h: h, size: size, ctx: ctx, timeout: DefaultTimeout}

	// The first Run opens the tab and binds it to ctx, so it has no
	// deadline of its own: a watchdog cancels it instead.
	timer := time.AfterFunc(tab.timeout, cancel)
	err := chromedp.Do(ctx)
	timer.Stop()
	if err != nil {
		t.Fatalf("e2e: open a %s tab: %v", size.Name, err)
	}
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.EmulateViewport(size.Width, size.Height, chromedp.EmulateScale(size.Scale), emulateMobile(size.Mobile)),
		// Background tabs have no focus; keyboard journeys need it.
		call(emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true}),
	}
	if size.NoScript {
		steps = append(steps, call(emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}))
	}
	if err := tab.do(steps...); err != nil {
		t.Fatalf("e2e: set up a %s tab: %v", size.Name, err)
	}
	return tab
}

func emulateMobile(on bool) chromedp.EmulateViewportOption {
	return func(p1 *emulation.SetDeviceMetricsOverrideParams, p2 *emulation.SetTouchEmulationEnabledParams) {
		if on {
			chromedp.EmulateMobile(p1, p2)
			chromedp.EmulateTouch(p1, p2)
		}
	}
}

// call is a protocol command as an action.
func call[P, R any](cmd cdp.Command[P, R], params P) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, cmd, params)
		return err
	})
}

// Size is the tab's window.
func (tab *Tab) Size() Size { return tab.size }

// SetTimeout changes the bound of each following action (DefaultTimeout).
func (tab *Tab) SetTimeout(d time.Duration) { tab.timeout = d }

// Context is the tab's chromedp context, for actions the helpers lack; run
// them with Do, which applies the timeout.
func (tab *Tab) Context() context.Context { return tab.ctx }

// Do runs chromedp actions in the tab under the action timeout.
func (tab *Tab) Do(actions ...chromedp.Action[chromedp.Void]) {
	tab.t.Helper()
	if err := tab.do(actions...); err != nil {
		tab.fail("Do", err)
	}
}

func (tab *Tab) do(actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(tab.ctx, tab.timeout)
	defer cancel()
	return chromedp.Do(ctx, actions...)
}

// Go loads a page of the server ("/malemort-du-comtat/") and waits for it.
func (tab *Tab) Go(path string) {
	tab.t.Helper()
	if err := tab.do(chromedp.Navigate(tab.h.URL(path))); err != nil {
		tab.fail(fmt.Sprintf("Go(%q)", path), err)
	}
	tab.Layout()
}

// URL is the address of the current page.
func (tab *Tab) URL() string {
	tab.t.Helper()
	var u string
	tab.eval("URL()", `location.href`, &u)
	return u
}

// Path is the current page's path and query, without the server.
func (tab *Tab) Path() string {
	tab.t.Helper()
	var u string
	tab.eval("Path()", `location.pathname + location.search`, &u)
	return u
}

// Status is the HTTP status of the current page's document (0 if unknown).
func (tab *Tab) Status() int {
	tab.t.Helper()
	var s int
	tab.eval("Status()", `(performance.getEntriesByType('navigation')[0] || {}).responseStatus || 0`, &s)
	return s
}

// Title is the current page's <title>.
func (tab *Tab) Title() string {
	tab.t.Helper()
	var s string
	tab.eval("Title()", `document.title`, &s)
	return s
}

// ScriptsEnabled reports whether the page's own scripts may run (false in a
// WithoutJS tab), whatever the page's Content-Security-Policy: injecting a
// script to see whether it runs cannot tell, since a CSP without
// 'unsafe-inline' (ours) blocks it. It asks the page's HTML parser
// instead, through DevTools (not subject to the CSP): inside <noscript>,
// markup is raw text when scripting is enabled for the document and
// elements when it is disabled (HTML's "scripting flag", which follows the
// emulation that WithoutJS sets).
func (tab *Tab) ScriptsEnabled() bool {
	tab.t.Helper()
	var enabled bool
	tab.eval("ScriptsEnabled()", scriptingFlag, &enabled)
	return enabled
}

// scriptingFlag is true when scripting is enabled for the current document.
const scriptingFlag = `(() => { const n = document.createElement('noscript');
	n.innerHTML = '<i></i>'; return n.firstChild instanceof Text; })()`

// Eval evaluates a JavaScript expression in the page (through DevTools, so
// also when the page's scripts are disabled) and decodes its JSON value
// into out (which may be nil).
func (tab *Tab) Eval(expr string, out any) {
	tab.t.Helper()
	tab.eval("Eval", expr, out)
}

func (tab *Tab) eval(what, expr string, out any) {
	tab.t.Helper()
	if err := tab.evalErr(expr, out); err != nil {
		tab.fail(what, err)
	}
}

func (tab *Tab) evalErr(expr string, out any) error {
	ctx, cancel := context.WithTimeout(tab.ctx, tab.timeout)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](expr))
	if err != nil || out == nil {
		return err
	}
	return json.Unmarshal(raw, out)
}

// poll evaluates a script of jsLib that returns {ok, info} every 100 ms until
// ok or the timeout; it returns the last info.
func (tab *Tab) poll(expr string) (ok bool, info string, err error) {
	deadline := time.Now().Add(tab.timeout)
	for {
		var r struct {
			OK   bool   `json:"ok"`
			Info string `json:"info"`
		}
		err = tab.evalErr("("+jsLib+")."+expr, &r)
		// A navigation in flight destroys the context of the evaluation:
		// try again on the new page.
		if err == nil && r.OK {
			return true, r.Info, nil
		}
		if err == nil {
			info = r.Info
		}
		if time.Now().After(deadline) {
			return false, info, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Click clicks (taps, on a phone) the visible link, button, label or summary
// whose text is exactly text (spaces collapsed), or whose aria-label or
// value is. The first in the page wins. When the click starts a navigation,
// Click waits for the new page to load.
func (tab *Tab) Click(text string) {
	tab.t.Helper()
	what := fmt.Sprintf("Click(%q)", text)
	tab.clickSel(what, tab.mark(what, "findClickable", text))
}

// ClickSel clicks the first visible element matching a CSS selector, then
// waits for the page it loads, as Click does.
func (tab *Tab) ClickSel(css string) {
	tab.t.Helper()
	what := fmt.Sprintf("ClickSel(%q)", css)
	tab.clickSel(what, tab.mark(what, "findSelector", css))
}

// mark finds an element with a jsLib finder and gives it a unique
// data-e2e attribute; it returns the CSS selector of that attribute.
func (tab *Tab) mark(what, finder, arg string) string {
	tab.t.Helper()
	id := fmt.Sprintf("m%d", tab.marks.Add(1))
	ok, info, err := tab.poll(fmt.Sprintf("%s(%s, %q)", finder, jsString(arg), id))
	if !ok {
		if err == nil {
			err = errors.New(info)
		}
		tab.fail(what, err)
	}
	return fmt.Sprintf(`[data-e2e=%q]`, id)
}

// navigationGrace is how long a click may take to start a navigation: a
// click that starts none (a script, a same-page link) returns after it.
const navigationGrace = 400 * time.Millisecond

func (tab *Tab) clickSel(what, sel string) {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, tab.timeout)
	defer cancel()
	// Subscribe before the click, so that no event is missed.
	navCtx, stopNav := context.WithCancel(ctx)
	defer stopNav()
	starts := chromedp.Events(navCtx, page.FrameStartedLoading)
	loadCtx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	loads := chromedp.Events(loadCtx, page.LoadEventFired)

	click := chromedp.Click(chromedp.CSS(sel))
	if tab.size.Mobile {
		click = chromedp.Tap(chromedp.CSS(sel))
	}
	if err := chromedp.Do(ctx, click); err != nil {
		tab.fail(what, err)
	}
	time.AfterFunc(navigationGrace, stopNav)
	navigating := false
	for _, err := range starts {
		navigating = err == nil
		break
	}
	if !navigating {
		return
	}
	for _, err := range loads {
		if err != nil {
			tab.fail(what, fmt.Errorf("the page it opened did not finish loading: %w", err))
		}
		break
	}
	tab.Layout()
}

// Fill types value into the field whose <label> reads label (an ending
// "*" or ":" is ignored); for a <select>, it chooses the option whose text
// or value is value. It fails when no label has that text: labels are part
// of what a journey checks.
func (tab *Tab) Fill(label, value string) {
	tab.t.Helper()
	what := fmt.Sprintf("Fill(%q, %q)", label, value)
	sel := tab.mark(what, "findField", label)
	var kind string
	tab.eval(what, fmt.Sprintf(`(%s).prepareFill(%q, %s)`, jsLib, sel, jsString(value)), &kind)
	switch kind {
	case "type": // a text field, focused and selected: type over it
		err := tab.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			if value == "" {
				_, err := chromedp.KeyEvent("\b")(ctx, t)
				return err
			}
			_, err := cdp.Call(ctx, t, input.InsertText, input.InsertTextParams{Text: value})
			return err
		}))
		if err != nil {
			tab.fail(what, err)
		}
	case "done": // a select, a date: set by the script
	default:
		tab.fail(what, errors.New(kind))
	}
}

// Check ticks the checkbox or radio button whose label reads label.
func (tab *Tab) Check(label string) { tab.t.Helper(); tab.setChecked(label, true) }

// Uncheck unticks the checkbox whose label reads label.
func (tab *Tab) Uncheck(label string) { tab.t.Helper(); tab.setChecked(label, false) }

func (tab *Tab) setChecked(label string, on bool) {
	tab.t.Helper()
	what := fmt.Sprintf("Check(%q, %v)", label, on)
	sel := tab.mark(what, "findField", label)
	var checked bool
	tab.eval(what, fmt.Sprintf(`document.querySelector(%q).checked`, sel), &checked)
	if checked != on {
		// Click the label, as a person does (custom boxes hide the input).
		var labelSel string
		tab.eval(what, fmt.Sprintf(`(%s).labelOf(%q)`, jsLib, sel), &labelSel)
		tab.clickSel(what, labelSel)
	}
	tab.eval(what, fmt.Sprintf(`document.querySelector(%q).checked`, sel), &checked)
	if checked != on {
		tab.fail(what, errors.New("the box did not change"))
	}
}

// See waits until the page shows text (visible text, spaces collapsed).
func (tab *Tab) See(text string) {
	tab.t.Helper()
	ok, info, err := tab.poll(fmt.Sprintf("see(%s)", jsString(text)))
	if !ok {
		if err == nil {
			err = fmt.Errorf("not on the page; the page shows:\n%s", info)
		}
		tab.fail(fmt.Sprintf("See(%q)", text), err)
	}
}

// NotSee checks, now, that the page does not show text.
func (tab *Tab) NotSee(text string) {
	tab.t.Helper()
	var r struct {
		OK   bool   `json:"ok"`
		Info string `json:"info"`
	}
	tab.eval("NotSee", fmt.Sprintf("(%s).see(%s)", jsLib, jsString(text)), &r)
	if r.OK {
		tab.fail(fmt.Sprintf("NotSee(%q)", text), errors.New("the page shows it"))
	}
}

// Press sends keys to the focused element: text, or the keys of
// chromedp's kb package ("\t" is Tab, "\r" Enter).
func (tab *Tab) Press(keys string) {
	tab.t.Helper()
	if err := tab.do(chromedp.KeyEvent(keys)); err != nil {
		tab.fail(fmt.Sprintf("Press(%q)", keys), err)
	}
}

// Focused describes the focused element by its text, value or label
// ("" when nothing is focused).
func (tab *Tab) Focused() string {
	tab.t.Helper()
	var s string
	tab.eval("Focused()", "("+jsLib+").focused()", &s)
	return s
}

// FitsWidth reports, as a test error, that the page scrolls sideways
// (wider than the window), naming the widest elements. Layout does it on
// every visited page.
func (tab *Tab) FitsWidth() {
	tab.t.Helper()
	var r struct {
		OK   bool   `json:"ok"`
		Info string `json:"info"`
	}
	tab.eval("FitsWidth()", fmt.Sprintf("(%s).fits(%d)", jsLib, tab.size.Width), &r)
	if !r.OK {
		tab.report(tab.where(), "the page is wider than the window: "+r.Info)
	}
}

// Layout runs the two checks every visited page must pass, on every size:
// the page does not scroll sideways (documentElement.scrollWidth <=
// innerWidth), and no word (a run of letters: a service name, a tab) is
// broken across two lines. Each problem is a test error (the journey goes
// on), reported once per page. Go, a click that opens a page, and Shot run
// it; a journey calls it after a change made by a script.
func (tab *Tab) Layout() {
	tab.t.Helper()
	var r struct {
		Fits struct {
			OK   bool   `json:"ok"`
			Info string `json:"info"`
		} `json:"fits"`
		Broken []string `json:"broken"`
	}
	expr := fmt.Sprintf("(() => { const l = %s; return {fits: l.fits(%d), broken: l.brokenWords()}; })()", jsLib, tab.size.Width)
	if err := tab.evalErr(expr, &r); err != nil {
		tab.t.Errorf("e2e %s: layout checks on %s: %v", tab.size.Name, tab.where(), err)
		return
	}
	page := tab.where()
	if !r.Fits.OK {
		tab.report(page, "the page is wider than the window: "+r.Fits.Info)
	}
	for _, w := range r.Broken {
		tab.report(page, "a word is broken across two lines: "+w)
	}
}

// report makes problem on page a test error, once per tab.
func (tab *Tab) report(page, problem string) {
	tab.t.Helper()
	if tab.reported == nil {
		tab.reported = map[string]bool{}
	}
	key := page + "\x00" + problem
	if tab.reported[key] {
		return
	}
	tab.reported[key] = true
	tab.t.Errorf("e2e %s: %s: %s", tab.size.Name, page, problem)
}

// where names the current page for messages, without failing.
func (tab *Tab) where() string {
	var u string
	if err := tab.evalErr(`location.href`, &u); err != nil {
		return "(unknown page)"
	}
	return strings.TrimPrefix(u, tab.h.BaseURL)
}

// fail ends the test with the action, the page and the error, after a
// screenshot "FAIL-<action>" of the page as it was.
func (tab *Tab) fail(what string, err error) {
	tab.t.Helper()
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("timed out after %s: %w", tab.timeout, err)
	}
	page := tab.where()
	if serr := tab.shot("FAIL-" + what); serr != nil {
		tab.t.Logf("e2e: no failure screenshot: %v", serr)
	}
	tab.t.Fatalf("e2e %s: %s on %s: %v", tab.size.Name, what, page, err)
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
