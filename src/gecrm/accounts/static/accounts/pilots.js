// Pilot programme pages: confirm before a form marked data-confirm posts (taking a customer
// out of a programme). No inline handlers: the page's Content-Security-Policy forbids them.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
})();
