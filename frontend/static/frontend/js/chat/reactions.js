// Reactions: the picker (a row of quick reactions, then any emoji through
// the vendored emoji-picker-element: search by name, skin tones, the ones
// used most first), the chips under a message, and keeping keyboard focus
// where it was when the chips are redrawn.
//
// The emoji picker is imported on the first open, not with the page: its
// module and its data (our own static files, never a CDN) cost nothing
// until someone wants an emoji beyond the quick ones.
import { act, focusAction } from "./page.js";
import { renderReactions } from "./render.js";

const picker = document.querySelector("[data-reaction-picker]");
const quick = picker?.querySelector(".reaction-quick");
const anyHolder = picker?.querySelector("[data-emoji-any]");
let pickerFor = null;
let anyPicker = null;

export function pickerOpen() {
  return pickerFor !== null;
}

async function loadAnyPicker() {
  if (anyPicker || !anyHolder) return;
  anyPicker = document.createElement("emoji-picker");
  anyPicker.className = "light";
  anyPicker.dataSource = picker.dataset.emojiData;
  try {
    await import(picker.dataset.pickerModule);
  } catch {
    anyPicker = null;
    return; // the quick reactions still work
  }
  anyPicker.dataSource = picker.dataset.emojiData;
  anyPicker.addEventListener("emoji-click", (event) => react(event.detail.unicode));
  anyHolder.append(anyPicker);
  place();
}

function place() {
  if (!pickerFor) return;
  const rect = pickerFor.button.getBoundingClientRect();
  const height = picker.offsetHeight;
  const width = picker.offsetWidth;
  const below = rect.bottom + 4 + height <= window.innerHeight;
  const top = below ? rect.bottom + 4 : rect.top - 4 - height;
  picker.style.top = `${Math.max(8, Math.min(top, window.innerHeight - height - 8))}px`;
  picker.style.left = `${Math.max(8, Math.min(rect.right - width, window.innerWidth - width - 8))}px`;
}

function openPicker(button, messageId) {
  const el = button.closest(".msg");
  pickerFor = { button, messageId, el };
  // Keep the message's action bar up while focus is in the picker.
  el.classList.add("picking");
  picker.hidden = false;
  place();
  button.setAttribute("aria-expanded", "true");
  quick.querySelector("button").focus();
  loadAnyPicker();
}

function closePicker({ refocus = true } = {}) {
  if (!pickerFor) return;
  const { button, el } = pickerFor;
  pickerFor = null;
  picker.hidden = true;
  button.setAttribute("aria-expanded", "false");
  if (refocus && button.isConnected) button.focus();
  el.classList.remove("picking");
}

// React with `emoji` to the message the picker is open for.
function react(emoji) {
  if (!pickerFor || !emoji) return;
  const { messageId, el } = pickerFor;
  const chip = [...el.querySelectorAll(".chip")].find((c) => c.dataset.emoji === emoji);
  // Picking an emoji you already gave leaves it as it is.
  if (chip?.getAttribute("aria-pressed") !== "true") {
    act({ type: "reaction.add", message: messageId, emoji });
  }
  closePicker();
}

/** The "React" button of message `id` was pressed: open or close the picker. */
export function togglePicker(button, id) {
  if (pickerFor?.button === button) {
    closePicker();
  } else {
    closePicker({ refocus: false });
    openPicker(button, id);
  }
}

/** A chip was pressed: take my reaction back, or add it. */
export function toggleChip(chip) {
  const id = Number(chip.closest(".msg").dataset.id);
  const mine = chip.getAttribute("aria-pressed") === "true";
  act({ type: mine ? "reaction.remove" : "reaction.add", message: id, emoji: chip.dataset.emoji });
}

/** Redraw the chips of `event.message` wherever it shows. */
export function applyReactions(event) {
  for (const el of document.querySelectorAll(`.msg[data-id="${event.message}"]`)) {
    const focused = document.activeElement?.closest?.(".chip")?.dataset.emoji;
    const ul = el.querySelector(".reactions");
    const hadFocus = ul.contains(document.activeElement);
    renderReactions(ul, event.reactions);
    if (!hadFocus) continue;
    // Keep keyboard focus on the chip just toggled, or near it.
    const chip = [...ul.querySelectorAll(".chip")].find((c) => c.dataset.emoji === focused);
    if (chip) chip.focus();
    else focusAction(el, "react");
  }
}

export function setUpReactions() {
  quick.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-emoji]");
    if (button) react(button.dataset.emoji);
  });

  // The quick row is one stop: arrow keys move along it; Tab goes on to
  // the emoji picker's search box.
  quick.addEventListener("keydown", (event) => {
    const items = [...quick.querySelectorAll("button")];
    const index = items.indexOf(document.activeElement);
    const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
    if (step) items[(index + step + items.length) % items.length].focus();
    else if (event.key === "Home") items[0].focus();
    else if (event.key === "End") items[items.length - 1].focus();
    else return;
    event.preventDefault();
  });

  picker.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      closePicker();
    }
  });

  picker.addEventListener("focusout", (event) => {
    if (pickerFor && event.relatedTarget && !picker.contains(event.relatedTarget)) {
      closePicker({ refocus: false });
    }
  });

  document.addEventListener("click", (event) => {
    if (pickerFor && !picker.contains(event.target) && event.target !== pickerFor.button) {
      closePicker({ refocus: false });
    }
  });
  window.addEventListener("resize", place);
}
