// Vue Agenda, progressive enhancement: a click on a cell is sent with
// fetch (the same form post, CSRF token included, plus the header
// X-Requested-With: fetch, for which the server answers with the agenda
// page itself); the week tables and the cart are taken from that page,
// focus stays on the clicked cell and the change is read out in the
// aria-live region #agenda-annonce. Without this script, or when anything
// goes wrong, the form posts as usual. A message about the clicked cell
// (a refusal, a forfait, a replaced choice) is put above its week, and the
// compact cart bar of a phone is refreshed with the cart.
(function () {
  "use strict";
  var busy = false;

  // position names a cell that survives the swap: its table, row, column.
  function position(button) {
    var td = button.closest("td"), tr = td.parentNode, table = tr.closest("table");
    return { table: table.id, row: tr.rowIndex, col: td.cellIndex };
  }

  function cellAt(pos) {
    var table = document.getElementById(pos.table);
    var tr = table && table.rows[pos.row];
    return tr && tr.cells[pos.col];
  }

  function text(el) {
    return el ? el.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function swap(doc, pos) {
    var tables = document.querySelectorAll("table.week");
    for (var i = 0; i < tables.length; i++) {
      var fresh = doc.getElementById(tables[i].id);
      if (!fresh) return false; // another page: let the browser show it
      if (fresh.innerHTML !== tables[i].innerHTML) tables[i].replaceWith(document.importNode(fresh, true));
    }
    ["mes-reservations", "panier-resume"].forEach(function (id) {
      var old = document.getElementById(id), fresh = doc.getElementById(id);
      if (old && fresh) old.replaceWith(document.importNode(fresh, true));
    });

    // A message about the tapped cell goes above its week, as the page
    // without this script shows it.
    Array.prototype.forEach.call(document.querySelectorAll(".cell-feedback"), function (f) { f.remove(); });
    var near = [];
    Array.prototype.forEach.call(doc.querySelectorAll(".cell-feedback"), function (f) {
      var table = document.getElementById(f.getAttribute("data-week"));
      if (!table) return;
      table.parentNode.insertBefore(document.importNode(f, true), table);
      near.push(text(f));
    });

    // Messages of this click (refusals, forfait notices) replace the old.
    var main = document.querySelector("main");
    Array.prototype.forEach.call(main.querySelectorAll(":scope > .flash"), function (f) { f.remove(); });
    // They go where the page puts them: below the family space's tabs.
    var tabs = main.querySelector(":scope > .family-tabs");
    var said = near, first = tabs ? tabs.nextSibling : main.firstChild;
    Array.prototype.forEach.call(doc.querySelectorAll("main > .flash"), function (f) {
      main.insertBefore(document.importNode(f, true), first);
      said.push(text(f));
    });

    // The message is above the week: bring it into view if the page
    // was scrolled past it (the cell stays in view below it).
    var feedback = document.querySelector(".cell-feedback");
    if (feedback && feedback.getBoundingClientRect().top < 0) feedback.scrollIntoView({ block: "start" });

    // Focus stays on the cell: its button, or the sign of a cell that can
    // no longer be clicked (which opens why).
    var td = cellAt(pos), button = td && td.querySelector("button"), sign = td && td.querySelector("summary");
    if (button) {
      said.push(button.getAttribute("aria-label"));
      button.focus();
    } else if (sign) {
      said.push(text(sign.querySelector(".visually-hidden")));
      sign.focus();
    } else if (td) {
      said.push(text(td));
      td.tabIndex = -1;
      td.focus();
    }
    said.push(text(document.querySelector("#mes-reservations .total")) || "Votre panier est vide.");
    var live = document.getElementById("agenda-annonce");
    if (live) live.textContent = said.join(" ");
    return true;
  }

  // An opened explanation of a closed cell is brought into view when it
  // opened below the window's edge (without this script, one scrolls).
  document.addEventListener("toggle", function (event) {
    var d = event.target;
    if (!d.classList || !d.classList.contains("why") || !d.open) return;
    var why = d.querySelector(".why-text");
    if (why && why.getBoundingClientRect().bottom > window.innerHeight) why.scrollIntoView({ block: "nearest" });
  }, true);

  document.addEventListener("submit", function (event) {
    var form = event.target, button = event.submitter;
    if (!form.classList.contains("week-form") || !button || button.name !== "case" || !window.fetch) return;
    event.preventDefault();
    if (busy) return;
    busy = true;
    var pos = position(button);
    var body = new URLSearchParams(new FormData(form, button));
    form.setAttribute("aria-busy", "true");
    fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "Accept": "text/html" }
    }).then(function (resp) {
      if (!resp.ok) throw new Error(resp.status);
      return resp.text();
    }).then(function (html) {
      if (!swap(new DOMParser().parseFromString(html, "text/html"), pos)) throw new Error("page");
      busy = false;
      form.removeAttribute("aria-busy");
    }).catch(function () {
      // The plain post shows what went wrong (an expired form, an error
      // page); a refused click changed nothing, so posting it again is safe.
      form.removeAttribute("aria-busy");
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "case";
      input.value = button.value;
      form.appendChild(input);
      HTMLFormElement.prototype.submit.call(form);
    });
  });
})();
