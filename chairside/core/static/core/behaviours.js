/* Chairside page behaviours, declared with data- attributes instead of inline handlers so
   that the Content-Security-Policy can forbid inline script (script-src 'self').
   Delegated from the document, so content htmx swaps in later behaves the same.

   data-autosubmit            on a select/input: submit its form when the value changes
   data-confirm="question"    on a form: ask before submitting; cancel keeps the page
   data-print                 on a button: print the page
   data-clear="element-id"    on a button: empty that element (close a panel, discard)
   data-select-on-focus       on a text input: select all of it when focused (copy a token)
*/
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target.closest ? event.target.closest("[data-autosubmit]") : null;
    if (field && field.form) field.form.submit();
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  }, true);
  document.addEventListener("click", function (event) {
    if (!event.target.closest) return;
    if (event.target.closest("[data-print]")) { window.print(); return; }
    var clear = event.target.closest("[data-clear]");
    if (clear) {
      var target = document.getElementById(clear.getAttribute("data-clear"));
      if (target) target.innerHTML = "";
    }
  });
  document.addEventListener("focusin", function (event) {
    var field = event.target.closest ? event.target.closest("[data-select-on-focus]") : null;
    if (field && field.select) field.select();
  });
})();
