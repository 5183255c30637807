// Start Redoc on /api/v1/docs from a file, not an inline script, so the
// page works under a `script-src 'self'` Content-Security-Policy.
const root = document.getElementById("api-reference");
const settings = JSON.parse(document.getElementById("redoc-settings").textContent);
window.Redoc.init(root.dataset.openapiUrl, settings, root);

// Redoc draws a bare <select> to switch between the shapes of an answer
// that has several (oneOf); give each an accessible name as it appears.
function labelSelects() {
  for (const select of root.querySelectorAll("select:not([aria-label])")) {
    select.setAttribute("aria-label", "Which shape to show");
  }
}
new MutationObserver(labelSelects).observe(root, { childList: true, subtree: true });
