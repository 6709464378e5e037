// "Vider" asks once: the cart's button opens the dialog #vider-dialogue,
// whose "Oui, vider le panier" posts the confirmed form; "Non, garder mon
// panier" and Escape close it. Without this script (or without <dialog>),
// the button's form shows the same question as a page.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("cart-clear")) return;
    var dialog = document.getElementById(form.getAttribute("data-dialog"));
    if (!dialog || typeof dialog.showModal !== "function") return;
    event.preventDefault();
    dialog.showModal();
    var yes = dialog.querySelector("button[type=submit]");
    if (yes) yes.focus();
  });
  document.addEventListener("click", function (event) {
    var cancel = event.target.closest && event.target.closest(".cart-clear-cancel");
    var dialog = cancel && cancel.closest("dialog");
    if (!dialog) return;
    event.preventDefault();
    dialog.close();
    var opener = document.querySelector("form.cart-clear button");
    if (opener) opener.focus();
  });
})();
