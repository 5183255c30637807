// The keyboard in a conversation, as Slack and Zulip have it:
// - one message is in the Tab order (a roving tab stop: the newest, or the
//   one last visited), so Shift+Tab from the composer reaches the messages;
// - on a message, ↑ and ↓ move to the one before or after, Home and End to
//   the first and last, Escape back to the composer, Tab into its actions;
// - ↑ in the empty composer edits my last message.
// The dialog that lists them is "?" (shortcuts.js).
import { composer, list } from "./page.js";
import { startEdit } from "./edits.js";

let stop = null;

function shown() {
  return [...list.querySelectorAll(":scope > .msg[data-id]")];
}

function makeStop(el) {
  if (stop === el) return;
  if (stop?.isConnected) stop.tabIndex = -1;
  stop = el;
  if (el) el.tabIndex = 0;
}

function keepStop() {
  if (!stop?.isConnected) makeStop(shown().at(-1) ?? null);
}

function moveFrom(el, key) {
  const all = shown();
  const i = all.indexOf(el);
  const next = { ArrowUp: all[i - 1], ArrowDown: all[i + 1], Home: all[0], End: all.at(-1) }[key];
  if (next) {
    next.focus();
    next.scrollIntoView({ block: "nearest" });
  }
}

export function setUpKeys() {
  const textarea = composer.querySelector("textarea");
  keepStop();
  new MutationObserver(keepStop).observe(list, { childList: true });
  list.addEventListener("focusin", (event) => {
    const el = event.target.closest(".msg[data-id]");
    if (el?.parentElement === list) makeStop(el);
  });
  list.addEventListener("keydown", (event) => {
    const el = event.target;
    if (!(el instanceof HTMLElement) || !el.matches(".msg") || el.parentElement !== list) return;
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (["ArrowUp", "ArrowDown", "Home", "End"].includes(event.key)) {
      event.preventDefault();
      moveFrom(el, event.key);
    } else if (event.key === "Escape") {
      event.preventDefault();
      textarea.focus();
    }
  });
  textarea.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowUp" || event.defaultPrevented || event.isComposing) return;
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (textarea.value !== "") return;
    const mine = [...list.querySelectorAll(":scope > .msg.mine[data-id]:not(.deleted)")].at(-1);
    if (!mine) return;
    event.preventDefault();
    mine.scrollIntoView({ block: "nearest" });
    startEdit(mine, { returnTo: textarea });
  });
}
