// The notifications badge in the sidebar and the /notifications/ list,
// kept live from notification.new and notification.read (docs/realtime.md).
import { badgeCount } from "./badge.js";
import { on } from "./socket.js";

const badge = document.querySelector("[data-unread-notifications]");
const list = document.querySelector("[data-notifications]");

function show(n) {
  if (!badge) return;
  badge.dataset.unreadNotifications = n;
  badge.querySelector(".n").textContent = badgeCount(n);
  badge.hidden = n === 0;
}

function item(notification) {
  const li = document.createElement("li");
  li.className = "notification unread";
  li.dataset.notification = notification.id;
  const avatar = document.createElement("span");
  avatar.className = "avatar";
  avatar.setAttribute("aria-hidden", "true");
  avatar.textContent = notification.actor ? notification.actor.initials : "·";
  const body = document.createElement("span");
  body.className = "notification-body";
  const hidden = document.createElement("span");
  hidden.className = "visually-hidden";
  hidden.textContent = "Unread: ";
  body.append(hidden);
  if (notification.url) {
    const link = document.createElement("a");
    link.href = notification.url;
    link.textContent = notification.text;
    body.append(link);
  } else {
    body.append(notification.text);
  }
  const when = document.createElement("small");
  when.textContent = "just now";
  body.append(document.createElement("br"), when);
  li.append(avatar, body);
  return li;
}

on("notification.new", (event) => {
  if (badge) show(Number(badge.dataset.unreadNotifications) + 1);
  if (list && !list.querySelector(`[data-notification="${event.notification.id}"]`)) {
    list.querySelector("[data-notifications-empty]")?.remove();
    list.prepend(item(event.notification));
  }
});

on("notification.read", (event) => {
  show(event.unread);
  if (!list) return;
  const rows = event.ids === null
    ? list.querySelectorAll(".notification.unread")
    : event.ids.map((id) => list.querySelector(`[data-notification="${id}"]`)).filter(Boolean);
  for (const row of rows) {
    row.classList.remove("unread");
    row.querySelector(".visually-hidden")?.remove();
    row.querySelector("form")?.remove();
  }
});
