// The prestation form shows the fields of the chosen kind as soon as it is
// chosen. Without this script the form's "Afficher les champs de ce type"
// button re-shows the page with them.
(function () {
  "use strict";
  var select = document.querySelector("[data-kind-select]");
  if (!select) return;
  var refresh = select.form.querySelector("button[name=refresh]");
  if (refresh) refresh.hidden = true;
  function show() {
    document.querySelectorAll("[data-kinds]").forEach(function (el) {
      el.hidden = el.getAttribute("data-kinds").split(" ").indexOf(select.value) < 0;
    });
  }
  select.addEventListener("change", show);
})();
