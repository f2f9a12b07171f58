/* Start Swagger UI from the settings the page carries as JSON (no inline script, so the
   Content-Security-Policy holds on /api/docs too). */
(function () {
  "use strict";
  var page = document.body.dataset;
  var config = JSON.parse(document.getElementById("swagger-settings").textContent);
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset];
  if (page.apiCsrf && page.csrfToken) {
    config.requestInterceptor = function (req) {
      req.headers["X-CSRFToken"] = page.csrfToken;
      return req;
    };
  }
  window.ui = SwaggerUIBundle(config);
})();
