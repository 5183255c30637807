// "?" opens the keyboard shortcuts dialog from anywhere but a text field.
// Like "/" (search.js), a one-key shortcut: the search page's switch turns
// both off (WCAG 2.1.4 Character Key Shortcuts).
const SETTING = "canteen.searchShortcut";
const dialog = document.getElementById("shortcuts-dialog");

function shortcutsOn() {
  try {
    return localStorage.getItem(SETTING) !== "off";
  } catch {
    return true;
  }
}

function isTextEntry(element) {
  return element instanceof Element && element.closest("input, textarea, select, [contenteditable]:not([contenteditable='false'])");
}

document.addEventListener("keydown", (event) => {
  if (event.key !== "?" || event.ctrlKey || event.metaKey || event.altKey) return;
  if (!dialog || dialog.open || event.defaultPrevented || isTextEntry(event.target)) return;
  if (!shortcutsOn()) return;
  event.preventDefault();
  dialog.showModal();
});

for (const opener of document.querySelectorAll("[data-shortcuts-open]")) {
  opener.addEventListener("click", () => dialog?.showModal());
}
dialog?.querySelector("[data-shortcuts-close]")?.addEventListener("click", () => dialog.close());
