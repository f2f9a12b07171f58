/* Receiving: look each NDC up as it is scanned or typed, and say what it is (or offer to
   add it). The look-up URL comes from the table's data-lookup-url. */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var table = document.querySelector(".receive-lines");
  if (!table) return;
  var url = table.getAttribute("data-lookup-url");
  table.querySelectorAll('input[name$="-ndc"]').forEach(function (input, i) {
    input.setAttribute("hx-get", url);
    input.setAttribute("hx-trigger", (input.value ? "load, " : "") + "change, keyup changed delay:400ms");
    input.setAttribute("hx-target", "#ndc-info-" + i);
    input.addEventListener("keydown", function (e) {
      // A scanner ends with Enter: move to the lot number instead of submitting the form.
      if (e.key === "Enter") {
        e.preventDefault();
        var row = input.closest("tr");
        row.querySelector('input[name$="-lot_number"]').focus();
      }
    });
    if (window.htmx) htmx.process(input);
  });
});
