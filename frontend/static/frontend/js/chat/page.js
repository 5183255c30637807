// The conversation page's shared parts: its elements, where it stands, and
// the few helpers every part of it uses. On other pages `root` is null and
// nothing here is used.
import { send } from "../socket.js";

export const me = Number(document.body.dataset.me);
export const root = document.querySelector(".chat");
export const conversationId = Number(root?.dataset.conversation);
export const list = root?.querySelector("[data-messages]");
export const scroller = root?.querySelector("[data-scroll]");
export const composer = root?.querySelector("[data-composer]");
export const older = root?.querySelector("[data-load-older]");
export const template = document.getElementById("message-template");
export const panel = document.querySelector("[data-thread-panel]");
export const threadList = panel?.querySelector("[data-thread-messages]");
export const threadComposer = panel?.querySelector("[data-thread-composer]");

// True while a catch-up applies its events: the list is laid out once, at
// the end, not after each message.
export const state = { catchingUp: false };

export function nearBottom() {
  return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 120;
}

export function scrollToBottom() {
  scroller.scrollTop = scroller.scrollHeight;
}

export function findMessage(id, container) {
  return container.querySelector(`.msg[data-id="${id}"]`);
}

export function findEcho(clientId, container) {
  return [...container.querySelectorAll(".msg.pending, .msg.failed")].find(
    (el) => el.dataset.clientId === clientId,
  );
}

// Focus a button in a message's action bar. The bar shows only on hover or
// focus inside the message, so it is shown first: focus() skips elements
// that are not displayed.
export function focusAction(el, action) {
  const button = el?.querySelector(`.msg-actions [data-action="${action}"]`);
  if (!button) {
    el?.focus();
    return;
  }
  el.classList.add("show-actions");
  button.focus();
  el.classList.remove("show-actions");
}

const errorTimers = new Map();

// Say what went wrong under `form`, the composer the person is using (the
// thread panel's covers the conversation on a phone).
export function showComposerError(message, form = composer) {
  const line = form.querySelector("[data-composer-error]");
  line.textContent = message;
  line.hidden = false;
  clearTimeout(errorTimers.get(line));
  errorTimers.set(line, setTimeout(() => { line.hidden = true; }, 8000));
}

// Reactions, edits and deletes are not queued like messages: say so when
// the socket is down rather than drop them silently.
export function act(event) {
  if (send(event)) return true;
  showComposerError("Not connected. Try again when the connection is back.");
  return false;
}
