// Starts Swagger UI on /api/openapi.json. A file of its own, not an inline script, so the page
// works under the Content-Security-Policy `script-src 'self'`.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    // The badge would call validator.swagger.io; the page talks to this service only.
    validatorUrl: null,
  });
});
