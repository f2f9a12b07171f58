/* Automatic log-off warning. The server ends a session after SESSION_IDLE_SECONDS without a
 * request; a minute before, this shows a dialog with a countdown and a "Stay logged in"
 * button (a POST that counts as activity). The server's clock decides: before warning, the
 * page asks how long is really left (another tab may have been active). No inline script. */
(function () {
  "use strict";
  var clock = document.getElementById("session-clock");
  var dialog = document.getElementById("idle-warning");
  if (!clock || !dialog || typeof dialog.showModal !== "function") { return; }
  var url = clock.dataset.url;
  var loginUrl = clock.dataset.login;
  var csrf = clock.dataset.csrf;
  var idleMs = Number(clock.dataset.idle) * 1000;
  var warningMs = Number(clock.dataset.warning) * 1000;
  var deadline = Date.now() + Number(clock.dataset.left) * 1000;
  var countdown = dialog.querySelector("[data-countdown]");
  var timer = null;
  var ticker = null;

  function ended() {
    var here = window.location.pathname + window.location.search;
    window.location.assign(loginUrl + "?ended=idle&next=" + encodeURIComponent(here));
  }

  function schedule(ms) {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, Math.max(0, ms));
  }

  function planFromDeadline() {
    schedule(deadline - Date.now() - warningMs);
  }

  function answer(response) {
    if (response.status === 401) { ended(); return null; }
    if (!response.ok) { throw new Error("session clock: " + response.status); }
    return response.json();
  }

  function update(data) {
    if (!data) { return; }
    deadline = Date.now() + data.seconds_left * 1000;
    if (data.seconds_left * 1000 > warningMs) { hide(); planFromDeadline(); } else { show(); }
  }

  function retryLater() { schedule(10000); }

  function ask() {
    window.fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(answer).then(update).catch(retryLater);
  }

  function stay() {
    window.fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrf },
    }).then(answer).then(update).catch(retryLater);
  }

  function tick() {
    var left = Math.ceil((deadline - Date.now()) / 1000);
    countdown.textContent = String(Math.max(0, left));
    if (left <= 0) {
      window.clearInterval(ticker);
      schedule(1500); // the server ends the session now; its answer (401) sends us to log in
    }
  }

  function show() {
    if (!dialog.open) { dialog.showModal(); }
    window.clearInterval(ticker);
    tick();
    ticker = window.setInterval(tick, 1000);
  }

  function hide() {
    window.clearInterval(ticker);
    if (dialog.open) { dialog.close(); }
  }

  document.getElementById("idle-stay").addEventListener("click", stay);
  dialog.addEventListener("cancel", function (event) { event.preventDefault(); stay(); });
  // A request this page makes through htmx is activity on the server too.
  document.body.addEventListener("htmx:afterRequest", function () {
    deadline = Date.now() + idleMs;
    planFromDeadline();
  });
  planFromDeadline();
})();
