// Page glue shared by every signed-in page.
import { connect, on, onStatus } from "./socket.js";

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

// The unread count beside "Messages" in the sidebar, kept live.
function setUpUnreadBadge() {
  const badge = document.querySelector("[data-total-unread]");
  if (!badge) return;
  const me = Number(document.body.dataset.me);
  const show = (n) => {
    badge.dataset.totalUnread = n;
    badge.querySelector(".n").textContent = n;
    badge.hidden = n === 0;
  };
  on("message.new", (event) => {
    const m = event.message;
    if (m.sender.id !== me && !m.thread) show(Number(badge.dataset.totalUnread) + 1);
  });
  // The server's count is the truth; it comes with every read change.
  on("read.updated", (event) => show(event.total_unread));
}

setUpMenu();
setUpUnreadBadge();
onStatus(showStatus);
connect();
