// Data import pages: while a file is checked or imported (which may take a while for big
// files), show a busy indicator and keep the form from being sent twice.
(function () {
  "use strict";
  document.querySelectorAll("form[data-busy-label]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (!button || button.disabled) {
        return;
      }
      var spinner = document.createElement("span");
      spinner.className = "spinner-border spinner-border-sm me-2";
      spinner.setAttribute("role", "status");
      button.replaceChildren(spinner, document.createTextNode(form.dataset.busyLabel));
      // Disable after the submit has started so the button's own value is still sent.
      window.setTimeout(function () { button.disabled = true; }, 0);
    });
  });
})();
