// Yinli's small bits of behaviour on top of htmx and Bootstrap.
(function () {
  "use strict";

  // Anything htmx swaps into the modal opens it.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "modal-content") {
      bootstrap.Modal.getOrCreateInstance(document.getElementById("modal")).show();
    }
  });

  // Picking a company from the search suggestions fills the name and remembers its id.
  document.addEventListener("click", function (event) {
    var pick = event.target.closest("[data-pick-company]");
    if (!pick) return;
    event.preventDefault();
    var form = pick.closest("form");
    form.querySelector("[name=company]").value = pick.dataset.pickCompany;
    form.querySelector("[name=company_name]").value = pick.dataset.name;
    var box = pick.closest(".company-suggestions");
    if (box) box.innerHTML = "";
  });

  // Confirm before destructive actions.
  document.addEventListener("submit", function (event) {
    var message = event.target.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });
})();
