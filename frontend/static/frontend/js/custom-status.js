// Custom statuses beside people's names, kept live from status.changed
// (docs/realtime.md). profiles' {% custom_status %} draws each as a
// [data-status-of="<id>"] span, empty and hidden when there is none, so a
// status set after the page loaded has a place to appear. A
// [data-status-box] around it shows and hides with it; a
// [data-status-none="<id>"] (the sidebar's "Set a status") does the
// opposite.
import { on } from "./socket.js";

// The longest delay setTimeout keeps (about 24.8 days); a status that ends
// later is hidden by the next page load instead.
const MAX_DELAY_MS = 2 ** 31 - 1;
const endings = new Map(); // user id -> timer that hides their status

// As the template tag draws it: the emoji hidden from screen readers, and
// the word "status" for them when there is no text.
function fill(slot, emoji, text) {
  slot.replaceChildren();
  if (emoji) {
    const face = document.createElement("span");
    face.setAttribute("aria-hidden", "true");
    face.textContent = emoji;
    slot.append(face, " ");
  }
  if (text) {
    slot.append(text);
  } else {
    const word = document.createElement("span");
    word.className = "visually-hidden";
    word.textContent = "status";
    slot.append(word);
  }
  slot.title = text || emoji;
}

function show(userId, emoji, text) {
  const shown = Boolean(emoji || text);
  for (const slot of document.querySelectorAll(`[data-status-of="${userId}"]`)) {
    if (shown) {
      fill(slot, emoji, text);
    } else {
      slot.replaceChildren();
      slot.removeAttribute("title");
    }
    slot.hidden = !shown;
    const box = slot.closest("[data-status-box]");
    if (box) {
      box.hidden = !shown;
      // "until Monday" was the old status's end, in its owner's time zone.
      box.querySelector("[data-status-until]")?.remove();
    }
  }
  for (const none of document.querySelectorAll(`[data-status-none="${userId}"]`)) {
    none.hidden = shown;
  }
}

on("status.changed", (event) => {
  clearTimeout(endings.get(event.user));
  endings.delete(event.user);
  const left = event.expires_at ? Date.parse(event.expires_at) - Date.now() : null;
  if (left !== null && left <= 0) {
    show(event.user, "", "");
    return;
  }
  show(event.user, event.emoji, event.text);
  if (left !== null && left < MAX_DELAY_MS) {
    endings.set(event.user, setTimeout(() => show(event.user, "", ""), left));
  }
});
