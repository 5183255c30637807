// Search: "/" jumps to the search box from anywhere but a text
// field, as in Slack and GitHub. A one-key shortcut can fire by accident
// (speech input, a stray key), so the search page has a switch to turn it
// off, remembered in this browser (WCAG 2.1.4 Character Key Shortcuts).
const SETTING = "canteen.searchShortcut";

function shortcutOn() {
  try {
    return localStorage.getItem(SETTING) !== "off";
  } catch {
    return true; // storage blocked: keep the default
  }
}

function isTextEntry(element) {
  return element instanceof Element && element.closest("input, textarea, select, [contenteditable]:not([contenteditable='false'])");
}

function visible(element) {
  return element.getClientRects().length > 0;
}

document.addEventListener("keydown", (event) => {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.defaultPrevented || isTextEntry(event.target) || !shortcutOn()) return;
  // The results page's own box first, then the sidebar's.
  const boxes = [...document.querySelectorAll("[data-search-input='main'], [data-search-input]")];
  const box = boxes.find(visible);
  if (!box) return;
  event.preventDefault();
  box.focus();
  box.select();
});

const toggle = document.querySelector("[data-search-shortcut]");
if (toggle) {
  toggle.checked = shortcutOn();
  toggle.addEventListener("change", () => {
    try {
      localStorage.setItem(SETTING, toggle.checked ? "on" : "off");
    } catch {
      // Storage blocked: the choice lasts for this page only.
    }
  });
}
