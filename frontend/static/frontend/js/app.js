// Page glue shared by every signed-in page.
import "./dates.js";
import { badgeCount } from "./badge.js";
import { connect, on, onStatus } from "./socket.js";
import { onLoad } from "./store.js";
import { setTitleCount } from "./title.js";

const LABELS = {
  live: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline",
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
  const show = (open) => {
    sidebar.classList.toggle("open", open);
    toggle.setAttribute("aria-expanded", String(open));
  };
  toggle.addEventListener("click", () => show(!sidebar.classList.contains("open")));
  // Escape closes the phone's menu and gives the focus back to its button.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !sidebar.classList.contains("open")) return;
    if (event.defaultPrevented || document.querySelector("dialog[open]")) return;
    show(false);
    toggle.focus();
  });
}

// The unread count beside "Messages" in the sidebar, kept live.
function setUpUnreadBadge() {
  const badge = document.querySelector("[data-total-unread]");
  if (!badge) return;
  const me = Number(document.body.dataset.me);
  const onScreen = () => Number(document.querySelector(".chat")?.dataset.conversation);
  const show = (n) => {
    badge.dataset.totalUnread = n;
    badge.querySelector(".n").textContent = badgeCount(n);
    badge.hidden = n === 0;
    setTitleCount(n);
  };
  setTitleCount(Number(badge.dataset.totalUnread) || 0);
  on("message.new", (event) => {
    const m = event.message;
    // The conversation on screen is read as it arrives (its page sends
    // the read marker), so it does not count.
    const reading = m.conversation === onScreen() && document.visibilityState === "visible";
    if (m.sender.id !== me && !m.thread && !reading) {
      show(Number(badge.dataset.totalUnread) + 1);
    }
  });
  // The server's count is the truth; it comes with every read change.
  on("read.updated", (event) => show(event.total_unread));
  // After a reconnect, recount what arrived while the socket was down.
  onLoad((summaries, { firstConnect }) => {
    if (!firstConnect) show(summaries.reduce((sum, c) => sum + c.unread, 0));
  });
}

setUpMenu();
setUpUnreadBadge();
onStatus(showStatus);
connect();
