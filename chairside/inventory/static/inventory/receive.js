// Receiving: look each NDC or carton barcode up as it is scanned or typed, say what it is
// (or offer to add it), and fill the lot and expiry a GS1 barcode carries.
(function () {
  'use strict';
  var table = document.querySelector('.receive-lines');
  if (!table) { return; }
  var lookup = table.getAttribute('data-lookup-url');

  function fillFromScan(row, info) {
    var found = info.querySelector('[data-ndc]');
    if (!found) { return; }
    var lot = found.getAttribute('data-lot');
    var expires = found.getAttribute('data-expires');
    var ndc = row.querySelector('input[name$="-ndc"]');
    var lotInput = row.querySelector('input[name$="-lot_number"]');
    var expiryInput = row.querySelector('input[name$="-expires_on"]');
    if (!lot && !expires) { return; }  // an NDC or UPC only: nothing more to fill
    ndc.value = found.getAttribute('data-ndc');  // the NDC as printed, instead of the raw scan
    if (lot && !lotInput.value) { lotInput.value = lot; }
    if (expires && !expiryInput.value) { expiryInput.value = expires; }
    var next = lotInput.value ? (expiryInput.value ? row.querySelector('input[name$="-vials"]') : expiryInput) : lotInput;
    next.focus();
  }

  table.querySelectorAll('input[name$="-ndc"]').forEach(function (input, i) {
    var row = input.closest('tr');
    var info = document.getElementById('ndc-info-' + i);
    input.setAttribute('hx-get', lookup);
    input.setAttribute('hx-trigger', (input.value ? 'load, ' : '') + 'change, keyup changed delay:400ms');
    input.setAttribute('hx-target', '#ndc-info-' + i);
    input.addEventListener('keydown', function (e) {
      // A scanner ends with Enter: move to the lot number instead of submitting the form.
      if (e.key === 'Enter') { e.preventDefault(); row.querySelector('input[name$="-lot_number"]').focus(); }
    });
    info.addEventListener('htmx:afterSwap', function () { fillFromScan(row, info); });
    if (window.htmx) { window.htmx.process(input); }
  });
}());
