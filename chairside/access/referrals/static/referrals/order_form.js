/* Treatment order form: offer only the chosen drug's regimens (htmx swaps the select's
   options). The options URL comes from the drug select's data-regimen-url. */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var drug = document.querySelector("[data-drug-select]");
  var regimen = document.getElementById("id_regimen_template");
  if (!drug || !regimen || !window.htmx) return;
  var url = drug.getAttribute("data-regimen-url");
  function load() {
    if (!drug.value || !url) return;
    var chosen = regimen.value;
    htmx.ajax("GET", url + "?drug=" + encodeURIComponent(drug.value), {target: regimen, swap: "innerHTML"}).then(function () {
      if (chosen && regimen.querySelector('option[value="' + chosen + '"]')) regimen.value = chosen;
    });
  }
  drug.addEventListener("change", load);
  load();
});
