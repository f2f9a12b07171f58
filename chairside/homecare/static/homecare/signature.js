/* The proof-of-delivery signature pad (no inline script: strict CSP).
   [data-signature-form]     the form; on submit a drawn signature goes into signature_drawing
   [data-signature-pad]      wraps the canvas; [data-signature-clear] empties it
   [data-signature-kind]     radio buttons: "drawn" shows the pad, "typed" the name field */
(function () {
  "use strict";
  function setUp(form) {
    var pad = form.querySelector("[data-signature-pad]");
    var canvas = pad.querySelector("canvas");
    var typed = form.querySelector("[data-signature-typed]");
    var hidden = form.querySelector("input[name=signature_drawing]");
    var ctx = canvas.getContext("2d");
    var drawing = false, inked = false;
    ctx.lineWidth = 2.2; ctx.lineCap = "round"; ctx.strokeStyle = "#111";
    function at(event) {
      var box = canvas.getBoundingClientRect();
      return [(event.clientX - box.left) * canvas.width / box.width,
              (event.clientY - box.top) * canvas.height / box.height];
    }
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true; canvas.setPointerCapture(event.pointerId);
      var p = at(event); ctx.beginPath(); ctx.moveTo(p[0], p[1]);
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      var p = at(event); ctx.lineTo(p[0], p[1]); ctx.stroke(); inked = true;
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      canvas.addEventListener(name, function () { drawing = false; });
    });
    pad.querySelector("[data-signature-clear]").addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height); inked = false;
    });
    function kind() {
      var checked = form.querySelector("[data-signature-kind]:checked");
      return checked ? checked.value : "drawn";
    }
    function show() {
      var drawn = kind() === "drawn";
      pad.hidden = !drawn; typed.hidden = drawn;
    }
    form.querySelectorAll("[data-signature-kind]").forEach(function (radio) {
      radio.addEventListener("change", show);
    });
    form.addEventListener("submit", function () {
      hidden.value = kind() === "drawn" && inked ? canvas.toDataURL("image/png") : "";
    });
    show();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-signature-form]").forEach(setUp);
  });
})();
