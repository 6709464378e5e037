package e2e

// jsLib is the page-side half of the helpers: one object expression,
// evaluated through DevTools (so it works with the page's scripts
// disabled). Finders mark the element they find with data-e2e=<id> and
// return {ok, info}; info explains a miss.
const jsLib = `{
  norm(s) { return (s || '').replace(/\s+/g, ' ').trim(); },
  labelText(s) { return this.norm(s).replace(/[\s*:]+$/, '').trim(); },
  visible(el) {
    if (!el.getClientRects().length) return false;
    const st = getComputedStyle(el);
    return st.visibility !== 'hidden' && st.display !== 'none' && Number(st.opacity) !== 0;
  },
  ready() { return document.readyState !== 'loading' && document.body; },
  names(el) {
    return [this.norm(el.innerText), this.norm(el.value), this.norm(el.getAttribute('aria-label'))]
      .filter(s => s);
  },
  findClickable(text, id) {
    if (!this.ready()) return {ok: false, info: 'the page is still loading'};
    const want = this.norm(text);
    const sel = 'a[href], button, input[type=submit], input[type=button], input[type=reset], summary, label, [role=button], [role=link], [role=tab]';
    const seen = [];
    for (const el of document.querySelectorAll(sel)) {
      if (!this.visible(el)) continue;
      const names = this.names(el);
      if (names.includes(want)) { el.setAttribute('data-e2e', id); return {ok: true}; }
      if (names.length) seen.push(names[0]);
    }
    return {ok: false, info: 'no visible link or button reads ' + JSON.stringify(want) +
      '; the page has: ' + JSON.stringify(seen.slice(0, 40))};
  },
  findSelector(css, id) {
    if (!this.ready()) return {ok: false, info: 'the page is still loading'};
    const all = [...document.querySelectorAll(css)];
    const el = all.find(e => this.visible(e));
    if (!el) return {ok: false, info: all.length ? all.length + ' match, none visible' : 'nothing matches'};
    el.setAttribute('data-e2e', id);
    return {ok: true};
  },
  findField(label, id) {
    if (!this.ready()) return {ok: false, info: 'the page is still loading'};
    const want = this.labelText(label);
    const seen = [];
    for (const l of document.querySelectorAll('label')) {
      const text = this.labelText(l.innerText || l.textContent);
      if (text !== want) { if (text) seen.push(text); continue; }
      const c = l.control;
      if (!c) return {ok: false, info: 'the label ' + JSON.stringify(want) + ' is tied to no field (for= without a matching id?)'};
      c.setAttribute('data-e2e', id);
      return {ok: true};
    }
    return {ok: false, info: 'no <label> reads ' + JSON.stringify(want) + '; the labels are: ' + JSON.stringify(seen)};
  },
  labelOf(sel) {
    const el = document.querySelector(sel);
    const l = [...(el.labels || [])].find(l => this.visible(l));
    if (!l) return sel;
    l.setAttribute('data-e2e', el.getAttribute('data-e2e') + '-label');
    return '[data-e2e="' + el.getAttribute('data-e2e') + '-label"]';
  },
  prepareFill(sel, value) {
    const el = document.querySelector(sel);
    if (el.disabled || el.readOnly) return 'the field is disabled or read-only';
    const fire = () => {
      el.dispatchEvent(new Event('input', {bubbles: true}));
      el.dispatchEvent(new Event('change', {bubbles: true}));
    };
    if (el.tagName === 'SELECT') {
      const o = [...el.options].find(o => this.norm(o.text) === this.norm(value) || o.value === value);
      if (!o) return 'no option ' + JSON.stringify(value) + ' among ' + JSON.stringify([...el.options].map(o => this.norm(o.text)));
      el.value = o.value; fire(); return 'done';
    }
    const type = (el.type || '').toLowerCase();
    if (type === 'checkbox' || type === 'radio') return 'a ' + type + ': use Check or Uncheck';
    if (['date', 'time', 'datetime-local', 'month', 'week', 'color', 'range'].includes(type)) {
      el.value = value; fire();
      return el.value === value ? 'done' : 'the ' + type + ' field refused ' + JSON.stringify(value);
    }
    el.scrollIntoView({block: 'center'});
    el.focus();
    if (el.select) el.select();
    return document.activeElement === el ? 'type' : 'the field cannot take the focus';
  },
  bodyText() { return document.body ? document.body.innerText : ''; },
  see(text) {
    if (!document.body) return {ok: false, info: '(no page)'};
    const body = this.norm(this.bodyText());
    if (body.includes(this.norm(text))) return {ok: true};
    return {ok: false, info: body.length > 1500 ? body.slice(0, 1500) + '…' : body};
  },
  focused() {
    const el = document.activeElement;
    if (!el || el === document.body) return '';
    return this.names(el)[0] || '<' + el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '>';
  },
  fits(width) {
    // A phone zooms out to show a page wider than itself, which widens
    // innerWidth: the window's own width is the bound.
    const w = Math.min(window.innerWidth, width), sw = document.documentElement.scrollWidth;
    if (sw <= w) return {ok: true};
    const wide = [...document.querySelectorAll('body *')]
      .filter(e => e.getBoundingClientRect().right > w + 1)
      .slice(0, 5)
      .map(e => '<' + e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '') + '>');
    return {ok: false, info: 'scrollWidth ' + sw + ' > innerWidth ' + w + '; widest: ' + wide.join(' ')};
  },
  brokenWords() {
    // A word is a run of letters: a break at a space, a hyphen or an
    // apostrophe is between words. Machine text (code, the demo mailbox's
    // raw messages) may break anywhere.
    const out = [], seen = {};
    const skip = 'script, style, noscript, template, textarea, pre, code, .mailbox-body, .visually-hidden';
    const walker = document.createTreeWalker(document.body || document.documentElement, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || !n.data.trim() || el.closest(skip)) continue;
      const re = /[\p{L}\p{M}]{2,}/gu;
      for (let m = re.exec(n.data); m; m = re.exec(n.data)) {
        range.setStart(n, m.index);
        range.setEnd(n, m.index + m[0].length);
        const rects = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0);
        if (rects.length < 2) continue;
        const tops = rects.map(r => r.top), h = Math.min(...rects.map(r => r.height));
        if (Math.max(...tops) - Math.min(...tops) < h / 2) continue;
        const where = this.norm(el.innerText || el.textContent).slice(0, 60);
        const key = m[0] + '|' + where;
        if (seen[key]) continue;
        seen[key] = true;
        out.push(JSON.stringify(m[0]) + ' in <' + el.tagName.toLowerCase() + '> ' + JSON.stringify(where));
      }
    }
    return out;
  },
  a11y() {
    const p = [];
    const lang = document.documentElement.getAttribute('lang') || '';
    if (!/^fr(-|$)/.test(lang)) p.push('<html> has lang=' + JSON.stringify(lang) + ', not "fr"');
    if (!this.norm(document.title)) p.push('the <title> is empty');
    const h1 = document.querySelectorAll('h1').length;
    if (h1 !== 1) p.push(h1 + ' <h1> elements, not exactly one');
    const ids = {};
    for (const el of document.querySelectorAll('[id]')) {
      if (ids[el.id]) p.push('the id ' + JSON.stringify(el.id) + ' is used twice');
      ids[el.id] = true;
    }
    const fields = 'input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset]):not([type=image]), select, textarea';
    for (const el of document.querySelectorAll(fields)) {
      if (!this.visible(el) && !(el.labels && [...el.labels].some(l => this.visible(l)))) continue;
      const byLabel = [...(el.labels || [])].some(l => this.norm(l.innerText || l.textContent));
      const byAria = this.norm(el.getAttribute('aria-label')) ||
        (el.getAttribute('aria-labelledby') || '').split(/\s+/).some(id => id && document.getElementById(id) && this.norm(document.getElementById(id).textContent));
      if (!byLabel && !byAria) p.push('the field ' + el.outerHTML.slice(0, 120) + ' has no label');
    }
    for (const img of document.querySelectorAll('img:not([alt])')) p.push('an <img> has no alt: ' + img.outerHTML.slice(0, 120));
    for (const el of document.querySelectorAll('[tabindex]')) {
      if (el.tabIndex > 0) p.push('positive tabindex on ' + el.outerHTML.slice(0, 120));
    }
    return p;
  },
}`
