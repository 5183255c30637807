// Reactions: the emoji picker, the chips under a message, and keeping
// keyboard focus where it was when the chips are redrawn.
import { act, focusAction } from "./page.js";
import { renderReactions } from "./render.js";

const picker = document.querySelector("[data-reaction-picker]");
let pickerFor = null;

export function pickerOpen() {
  return pickerFor !== null;
}

function openPicker(button, messageId) {
  const el = button.closest(".msg");
  pickerFor = { button, messageId, el };
  // Keep the message's action bar up while focus is in the picker.
  el.classList.add("picking");
  picker.hidden = false;
  const rect = button.getBoundingClientRect();
  const below = rect.bottom + 4 + picker.offsetHeight <= window.innerHeight;
  picker.style.top = `${below ? rect.bottom + 4 : Math.max(8, rect.top - 4 - picker.offsetHeight)}px`;
  picker.style.left = `${Math.max(8, Math.min(rect.right - picker.offsetWidth, window.innerWidth - picker.offsetWidth - 8))}px`;
  button.setAttribute("aria-expanded", "true");
  picker.querySelector("button").focus();
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
  picker.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-emoji]");
    if (!button || !pickerFor) return;
    const { messageId, el } = pickerFor;
    const chip = [...el.querySelectorAll(".chip")].find((c) => c.dataset.emoji === button.dataset.emoji);
    // Picking an emoji you already gave leaves it as it is.
    if (chip?.getAttribute("aria-pressed") !== "true") {
      act({ type: "reaction.add", message: messageId, emoji: button.dataset.emoji });
    }
    closePicker();
  });

  picker.addEventListener("keydown", (event) => {
    const items = [...picker.querySelectorAll("button")];
    const index = items.indexOf(document.activeElement);
    const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
    if (event.key === "Escape" || event.key === "Tab") closePicker();
    else if (step) items[(index + step + items.length) % items.length].focus();
    else if (event.key === "Home") items[0].focus();
    else if (event.key === "End") items[items.length - 1].focus();
    else return;
    event.preventDefault();
  });

  picker.addEventListener("focusout", (event) => {
    if (pickerFor && !picker.contains(event.relatedTarget) && event.relatedTarget) {
      closePicker({ refocus: false });
    }
  });

  document.addEventListener("click", (event) => {
    if (pickerFor && !picker.contains(event.target) && event.target !== pickerFor.button) {
      closePicker({ refocus: false });
    }
  });
}
