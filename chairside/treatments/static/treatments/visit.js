/* Chair-side visit pages: save as you go, keep drafts on the tablet, signature pad.
 *
 * - form.autosave posts on every change, and only the field that changed (plus _hidden
 *   fields): one bad value never blocks another field from being saved.
 * - form[data-draft] keeps what is typed in localStorage until the server has saved it;
 *   after a dropped connection the entries are offered back ("Restore") and autosave forms
 *   are sent again as soon as the tablet is back online. The server stays the source of truth.
 * - canvas inside .signature-pad: draw with a finger or stylus; the PNG goes in the hidden
 *   "signature" field.
 */
(function () {
  "use strict";
  var PREFIX = "chairside-draft:";

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function fields(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "hidden" || el.type === "submit" || el.disabled) return;
      if ((el.type === "checkbox" || el.type === "radio")) {
        data[el.name] = data[el.name] || [];
        if (el.checked) data[el.name].push(el.value);
      } else {
        data[el.name] = [el.value];
      }
    });
    return data;
  }

  function saveDraft(form) {
    var store = storage();
    if (!store || !form.dataset.draft) return;
    store.setItem(PREFIX + form.dataset.draft, JSON.stringify({ at: Date.now(), fields: fields(form) }));
  }

  function dropDraft(form) {
    var store = storage();
    if (store && form.dataset.draft) store.removeItem(PREFIX + form.dataset.draft);
  }

  function readDraft(form) {
    var store = storage();
    if (!store || !form.dataset.draft) return null;
    try { return JSON.parse(store.getItem(PREFIX + form.dataset.draft) || "null"); } catch (e) { return null; }
  }

  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  function applyDraft(form, draft) {
    var changed = [];
    Object.keys(draft.fields).forEach(function (name) {
      var values = draft.fields[name];
      var els = form.querySelectorAll('[name="' + name + '"]');
      Array.prototype.forEach.call(els, function (el) {
        if (el.type === "checkbox" || el.type === "radio") {
          var on = values.indexOf(el.value) >= 0;
          if (el.checked !== on) { el.checked = on; changed.push(el); }
        } else if (el.value !== values[0]) {
          el.value = values[0]; changed.push(el);
        }
      });
    });
    return changed;
  }

  function resend(form, changed) {
    if (!form.classList.contains("autosave") && !form.classList.contains("autosave-all")) return;
    var seen = {};
    changed.forEach(function (el) {
      if (seen[el.name]) return;
      seen[el.name] = true;
      el.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function offerDraft(form) {
    var draft = readDraft(form);
    if (!draft || same(draft.fields, fields(form)) || form.querySelector(".draft-offer")) return;
    var when = clockAtSite(new Date(draft.at));
    var box = document.createElement("p");
    box.className = "draft-offer alert warn";
    box.innerHTML = "Entries typed on this tablet at " + when +
      " were not saved. <button type='button' class='primary small' data-restore>Restore them</button> " +
      "<button type='button' class='small' data-discard>Discard</button>";
    form.insertBefore(box, form.firstChild);
    box.querySelector("[data-restore]").addEventListener("click", function () {
      var changed = applyDraft(form, draft);
      box.remove();
      resend(form, changed);
    });
    box.querySelector("[data-discard]").addEventListener("click", function () {
      dropDraft(form); box.remove();
    });
  }

  function toast(html, tone) {
    var el = document.getElementById("toast");
    if (el) el.innerHTML = '<p class="toast-msg ' + tone + '" role="alert">' + html + "</p>";
  }

  /* --- save only the field that changed -------------------------------------------- */
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches("form.autosave")) return;
    var trigger = event.detail.triggeringEvent;
    var name = trigger && trigger.target && trigger.target.name;
    if (!name) return;
    var params = event.detail.parameters;
    // A value and its unit travel together (data-save-with="weight_unit" on the weight).
    var partners = (trigger.target.getAttribute("data-save-with") || "").split(" ");
    Object.keys(params).forEach(function (key) {
      if (key === name || partners.indexOf(key) >= 0) return;
      if (key.charAt(0) !== "_" && key !== "csrfmiddlewaretoken") delete params[key];
    });
    params._field = name;
  });

  document.addEventListener("input", function (event) {
    var form = event.target.form;
    if (form && form.dataset.draft) saveDraft(form);
  });
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.dataset.draft) saveDraft(form);
  });

  function saved(event) {
    var xhr = event.detail.xhr;
    return xhr && xhr.status >= 200 && xhr.status < 300;
  }
  /* The form that sent the request. htmx fires beforeSwap on the swap target (#toast), and
     afterRequest on an ancestor when the answer replaced the form: detail.elt is then not
     the form, but requestConfig.elt still is. */
  function sender(event) {
    var config = event.detail.requestConfig;
    return (config && config.elt) || event.detail.elt;
  }
  // Drop the draft before the answer is swapped in, so a re-rendered form does not offer it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = sender(event);
    if (form && form.matches && form.matches("form[data-draft]") && saved(event)) dropDraft(form);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = sender(event);
    if (!form || !form.matches || !form.matches("form[data-draft]") || !saved(event)) return;
    dropDraft(form);
    form.classList.remove("unsaved");
    if (form.hasAttribute("data-reset-on-save")) {
      form.reset();
      form.querySelectorAll("[data-fahrenheit]").forEach(function (el) { el.textContent = ""; });
    }
  });

  function offline(event) {
    var form = event.detail.elt;
    if (form && form.classList) form.classList.add("unsaved");
    toast("<b>Not saved: no connection.</b> What you typed is kept on this tablet and is sent again when the connection is back.", "bad");
  }
  document.addEventListener("htmx:sendError", offline);
  document.addEventListener("htmx:timeout", offline);

  window.addEventListener("online", function () {
    document.querySelectorAll("form[data-draft]").forEach(function (form) {
      var draft = readDraft(form);
      if (!draft) return;
      if (form.classList.contains("autosave") || form.classList.contains("autosave-all")) {
        resend(form, Array.prototype.slice.call(form.querySelectorAll("[name]:not([type=hidden])")));
      } else {
        offerDraft(form);
      }
    });
  });

  /* --- signature pad ------------------------------------------------------------------ */
  function signaturePad(pad) {
    var canvas = pad.querySelector("canvas");
    var input = pad.querySelector('input[name="signature"]');
    if (!canvas || canvas.dataset.ready) return;
    canvas.dataset.ready = "1";
    var ctx = canvas.getContext("2d");
    var drawing = false, strokes = 0;
    ctx.lineWidth = 3; ctx.lineCap = "round"; ctx.strokeStyle = "#111";
    function point(e) {
      var r = canvas.getBoundingClientRect();
      return { x: (e.clientX - r.left) * canvas.width / r.width, y: (e.clientY - r.top) * canvas.height / r.height };
    }
    canvas.addEventListener("pointerdown", function (e) {
      drawing = true; canvas.setPointerCapture(e.pointerId);
      var p = point(e); ctx.beginPath(); ctx.moveTo(p.x, p.y); e.preventDefault();
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) return;
      var p = point(e); ctx.lineTo(p.x, p.y); ctx.stroke(); strokes++; e.preventDefault();
    });
    function end() {
      if (!drawing) return;
      drawing = false;
      if (strokes > 2) input.value = canvas.toDataURL("image/png");
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointerleave", end);
    var clear = pad.querySelector("[data-clear-signature]");
    if (clear) clear.addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height); input.value = ""; strokes = 0;
    });
  }

  /* --- small helpers on each piece of page htmx loads ------------------------------------ */
  function pad2(n) { return (n < 10 ? "0" : "") + n; }

  /* The time now at the visit's location (the tablet's own clock zone may differ). */
  function clockAtSite(moment) {
    var holder = document.querySelector("[data-tz]");
    var tz = holder ? holder.dataset.tz : undefined;
    try {
      var parts = new Intl.DateTimeFormat("en-GB", { timeZone: tz, hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
        .formatToParts(moment || new Date());
      var get = function (type) { return parts.filter(function (p) { return p.type === type; })[0].value; };
      return get("hour") + ":" + get("minute");
    } catch (e) {
      var d = moment || new Date();
      return pad2(d.getHours()) + ":" + pad2(d.getMinutes());
    }
  }

  function nowButtons(root) {
    root.querySelectorAll('input[type="time"]').forEach(function (input) {
      if (input.dataset.now || input.disabled || input.closest("fieldset[disabled]")) return;
      input.dataset.now = "1";
      var button = document.createElement("button");
      button.type = "button"; button.className = "small now"; button.textContent = "Now";
      button.title = "Set to the current time";
      button.addEventListener("click", function () {
        input.value = clockAtSite();
        input.dispatchEvent(new Event("input", { bubbles: true }));
        input.dispatchEvent(new Event("change", { bubbles: true }));
      });
      input.insertAdjacentElement("afterend", button);
    });
  }

  function fahrenheit(root) {
    root.querySelectorAll('input[name="temperature_c"]').forEach(function (input) {
      var help = input.parentElement.querySelector("[data-fahrenheit]");
      if (!help || input.dataset.f) return;
      input.dataset.f = "1";
      input.addEventListener("input", function () {
        var c = parseFloat(input.value);
        help.textContent = isNaN(c) ? "" : "= " + (c * 9 / 5 + 32).toFixed(1) + " °F";
      });
    });
  }

  function init(root) {
    if (!root.querySelectorAll) return;
    root.querySelectorAll(".signature-pad").forEach(signaturePad);
    root.querySelectorAll("form[data-draft]").forEach(offerDraft);
    if (root.matches && root.matches("form[data-draft]")) offerDraft(root);
    nowButtons(root);
    fahrenheit(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    // A link to #reaction (from the discharge step) opens the reaction form.
    var target = location.hash && document.getElementById(location.hash.slice(1));
    if (target && target.tagName === "DETAILS") target.open = true;
    if (window.htmx) window.htmx.onLoad(init);
  });
})();
