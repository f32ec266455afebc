// Copy buttons: a button with data-copy="ID" copies the value of the
// element ID. The buttons are hidden in the page and shown here, so that
// without JavaScript the page shows no button that does nothing; the value
// can always be selected and copied by hand.
"use strict";
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  var field = document.getElementById(button.dataset.copy);
  var status = document.getElementById(button.dataset.copy + "-copied");
  if (!field) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    var done = function () {
      if (status) {
        status.textContent = "Copied.";
      }
    };
    var fallback = function () {
      field.focus();
      field.select();
      if (document.execCommand("copy")) {
        done();
      } else if (status) {
        status.textContent = "Select the token and copy it.";
      }
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, fallback);
    } else {
      fallback();
    }
  });
});
