/* Home visit documentation on a tablet: entries survive a dropped connection.
 *
 * Progressive enhancement: without this script every form is a plain POST. With it, a
 * form[data-offline] is sent in the background (Accept: application/json):
 * - sent and saved (201): the page reloads to show it;
 * - refused (400): the form is posted the plain way, so the page shows the errors;
 * - no connection (offline, or the request fails): the entry is kept in this browser's
 *   localStorage under the visit's id, with its client_id, and a notice says so. It is sent
 *   when the connection returns (the "online" event, or the next page load). The server
 *   records a client_id once, so an entry sent twice is recorded once.
 * - The notice says how long ago each entry was saved *on this tablet* ("3 min ago"), never a
 *   clock time: the tablet's clock may be wrong and a time would read like the server's.
 *   A queued entry is sent with entered_at, when it was saved by the tablet's clock; the
 *   server keeps it beside its own receipt time and the page shows both when they differ.
 * Entries go only to this page's own origin (relative paths); nothing else is stored.
 */
(function () {
  "use strict";
  var PREFIX = "chairside-homevisit:";
  var sending = false;
  var refused = [];

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function load(visit) {
    var store = storage();
    if (!store) return [];
    try { return JSON.parse(store.getItem(PREFIX + visit) || "[]"); } catch (e) { return []; }
  }

  function keep(visit, queue) {
    var store = storage();
    if (!store) return;
    if (queue.length) store.setItem(PREFIX + visit, JSON.stringify(queue));
    else store.removeItem(PREFIX + visit);
  }

  function newId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function ownPath(action) {
    var url = new URL(action, window.location.href);
    return url.origin === window.location.origin ? url.pathname + url.search : null;
  }

  function csrf() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function notice(text, kind) {
    var box = document.getElementById("offline-status");
    if (!box) return;
    box.textContent = text;
    box.className = "offline-status alert " + (kind || "warn");
    box.hidden = !text;
  }

  // How long ago, on this tablet, an entry was saved: an elapsed time is right even when
  // the tablet's clock is set wrong (a clock time would not be, and would look official).
  function ago(ms) {
    var minutes = Math.floor((Date.now() - ms) / 60000);
    if (minutes < 1) return "just now";
    if (minutes < 60) return minutes + " min ago";
    var hours = Math.floor(minutes / 60);
    var rest = minutes % 60;
    return hours + " h" + (rest ? " " + rest + " min" : "") + " ago";
  }

  function savedAgo(entry) {
    return entry.label + " (saved " + ago(entry.at) + ")";
  }

  function showQueue(visit) {
    var queue = load(visit);
    if (!queue.length) { notice(refused.length ? refused.join(" ") : "", "bad"); return; }
    notice(
      queue.length + (queue.length === 1 ? " entry is" : " entries are") +
      " kept on this tablet and not sent yet; they will be sent when the connection " +
      "returns: " + queue.map(savedAgo).join(", ") +
      ". Times are counted on this tablet; the server records when it receives each entry.",
      "warn"
    );
  }

  function fields(form) {
    var out = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && name !== "entered_at") out.push([name, String(value)]);
    });
    return out;
  }

  function post(path, pairs) {
    var body = new FormData();
    pairs.forEach(function (p) { body.append(p[0], p[1]); });
    body.append("csrfmiddlewaretoken", csrf());
    return fetch(path, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf() }
    });
  }

  function queueEntry(form, visit, path) {
    var pairs = fields(form);
    var idField = form.querySelector("input[name=client_id]");
    var id = idField && idField.value ? idField.value : newId();
    var queue = load(visit);
    queue.push({ id: id, path: path, label: form.dataset.offlineLabel || "Entry", at: Date.now(), fields: pairs });
    keep(visit, queue);
    if (idField) {
      form.reset();
      idField.value = newId(); // the next entry typed is a new one
    }
    showQueue(visit);
  }

  function flush(visit) {
    if (sending || !navigator.onLine) return;
    var queue = load(visit);
    if (!queue.length) return;
    sending = true;
    var entry = queue[0];
    // When it was saved, by this tablet's clock: the server keeps it beside its receipt time.
    post(entry.path, entry.fields.concat([["entered_at", new Date(entry.at).toISOString()]]))
      .then(function (response) {
        if (response.status === 201) return { done: true };
        if (response.status === 400) {
          return response.json().then(function (answer) {
            return { done: true, errors: (answer.errors || []).join(" ") || "refused" };
          });
        }
        if (response.redirected || response.status === 403) {
          // The log-in ran out while the tablet was away: keep the entries, say why.
          sending = false;
          notice("Entries are still kept on this tablet: log in again to send them.", "bad");
          return null;
        }
        throw new Error("HTTP " + response.status);
      })
      .then(function (result) {
        if (result === null) return;
        keep(visit, load(visit).filter(function (e) { return e.id !== entry.id; }));
        if (result.errors) refused.push(savedAgo(entry) + " was refused: " + result.errors);
        sending = false;
        if (load(visit).length) { flush(visit); return; }
        if (refused.length) { showQueue(visit); return; }
        notice("Entries kept on this tablet were sent.", "good");
        window.setTimeout(function () { window.location.reload(); }, 600);
      })
      .catch(function () {
        sending = false;
        showQueue(visit);
      });
  }

  function onSubmit(event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.hasAttribute("data-online-only") && !navigator.onLine) {
      event.preventDefault();
      notice("Signing needs the connection: sign when the tablet is back online.", "bad");
      return;
    }
    var visit = form.dataset.offline;
    var path = visit ? ownPath(form.action) : null;
    if (!path || form.dataset.plain === "yes") return;
    event.preventDefault();
    if (!navigator.onLine) { queueEntry(form, visit, path); return; }
    post(path, fields(form))
      .then(function (response) {
        if (response.status === 201) { window.location.reload(); return; }
        // Refused or unexpected: the plain POST shows the server's page (nothing was saved).
        form.dataset.plain = "yes";
        form.submit();
      })
      .catch(function () { queueEntry(form, visit, path); });
  }

  document.addEventListener("submit", onSubmit);
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-offline]");
    if (!form) return;
    var visit = form.dataset.offline;
    showQueue(visit);
    flush(visit);
    window.addEventListener("online", function () { flush(visit); });
    // A connection can come back without an "online" event (the tablet thought it was
    // online all along while requests failed): try the queue again every little while.
    window.setInterval(function () { flush(visit); }, 15000);
    // Keep "saved N min ago" true while the entries wait.
    window.setInterval(function () { if (load(visit).length && !sending) showQueue(visit); }, 30000);
    window.addEventListener("offline", function () {
      if (!load(visit).length) notice("No connection: entries will be kept on this tablet.", "warn");
    });
  });
})();
