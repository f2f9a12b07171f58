/* Draw every <canvas data-chart="ID"> from the Chart.js configuration in <script id="ID">.
   Runs on load and after htmx swaps in new content (the simulation results). */
(function () {
  "use strict";
  function money(value) {
    var amount = Math.abs(Number(value)).toLocaleString("en-US", { maximumFractionDigits: 0 });
    return (Number(value) < 0 ? "-$" : "$") + amount;
  }
  function draw(root) {
    if (typeof Chart === "undefined") return;
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) return;
      var source = document.getElementById(canvas.dataset.chart);
      if (!source) return;
      var config = JSON.parse(source.textContent);
      var extra = (config.options && config.options.chairside) || {};
      if (config.options) delete config.options.chairside;
      if (extra.money) {
        var axis = config.options.indexAxis === "y" ? "x" : "y";
        config.options.scales = config.options.scales || {};
        config.options.scales[axis] = config.options.scales[axis] || {};
        config.options.scales[axis].ticks = { callback: money };
      }
      canvas.dataset.drawn = "1";
      new Chart(canvas, config);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  // The whole document: an outerHTML swap (a slow panel replacing its placeholder) settles
  // on an element no longer in the page; drawn canvases are skipped.
  document.addEventListener("htmx:afterSettle", function () { draw(document); });
})();
