// Start Redoc on /api/v1/docs from a file, not an inline script, so the
// page works under a `script-src 'self'` Content-Security-Policy.
const root = document.getElementById("api-reference");
const settings = JSON.parse(document.getElementById("redoc-settings").textContent);
window.Redoc.init(root.dataset.openapiUrl, settings, root);
