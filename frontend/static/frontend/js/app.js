// Page glue shared by every signed-in page.
import { connect, onStatus } from "./socket.js";

const LABELS = {
  live: "Live",
  reconnecting: "Reconnecting…",
  "signed-out": "Signed out: reload to sign in",
};

function showStatus(state) {
  for (const element of document.querySelectorAll("[data-connection-status]")) {
    element.dataset.state = state;
    element.textContent = LABELS[state] || state;
  }
}

function setUpMenu() {
  const toggle = document.querySelector("[data-menu-toggle]");
  const sidebar = document.getElementById("sidebar");
  if (!toggle || !sidebar) return;
  toggle.addEventListener("click", () => {
    const open = sidebar.classList.toggle("open");
    toggle.setAttribute("aria-expanded", String(open));
  });
}

setUpMenu();
onStatus(showStatus);
connect();
