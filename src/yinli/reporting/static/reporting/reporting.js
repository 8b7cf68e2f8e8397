// Report cycle pages: copy the reminder text; show only the changed rows of a report.
(function () {
  "use strict";
  var copy = document.getElementById("copy-reminder");
  if (copy) {
    copy.addEventListener("click", function () {
      var area = document.getElementById("reminder-text");
      var done = function () { copy.textContent = copy.dataset.copied; };
      area.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(area.value).then(done, function () { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
    });
  }
  var only = document.getElementById("only-changes");
  if (only) {
    var apply = function () {
      document.querySelectorAll("#report-projects tbody tr[data-change='']").forEach(function (row) {
        row.hidden = only.checked;
      });
    };
    only.addEventListener("change", apply);
    apply();
  }
})();
