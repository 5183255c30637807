// Sending: the composers (the conversation's and the thread panel's), the
// local echo shown at once, and the queue of sends not yet confirmed.
//
// Sends go out one at a time, in the order they were written: the next
// goes when the server has the one before. A person typing fast meets the
// server's send limit; the queue then waits the `retry_after` the server
// names and goes on, so nobody sees the limit and nothing is reordered
// (several in flight at once could land out of order around a refusal).
// After a reconnect the head goes again with the same client_id (the
// server stores one copy). Other errors leave a Retry button.
import { currentStatus, on, onStatus, send } from "../socket.js";
import { setUpAttachments } from "../attachments.js";
import {
  composer, conversationId, list, panel, root, scrollToBottom, showComposerError,
  threadComposer, threadList,
} from "./page.js";
import { groupRuns, renderEcho } from "./render.js";
import { stoppedTyping, typed } from "./typing.js";

// Sends not yet confirmed by the server, by client_id, in order.
const pending = new Map();
// The client_id of the send out and not yet answered, if any.
let inFlight = null;
// Set while waiting out the server's retry_after.
let pauseTimer = null;

const SENDING = "Sending…";
const WAITING = "Waiting for connection";

function echoStatus() {
  return currentStatus() === "live" ? SENDING : WAITING;
}

/** Send the next queued message, unless one is out or the queue waits. */
function pump() {
  if (inFlight || pauseTimer) return;
  const next = pending.entries().next();
  if (next.done) return;
  const [clientId, entry] = next.value;
  if (sendMessage(entry.body, entry.thread, clientId, entry.attachments)) inFlight = clientId;
}

/** The server has the send `clientId`: stop waiting for it. */
export function confirmed(clientId) {
  pending.delete(clientId);
  if (inFlight === clientId) inFlight = null;
  pump();
}

function newClientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

function sendMessage(body, thread, clientId, attachments = []) {
  return send({
    type: "message.send", conversation: conversationId, body, client_id: clientId,
    ...(thread ? { thread } : {}),
    ...(attachments.length ? { attachments } : {}),
  });
}

/** Send again what the server has not confirmed (after a reconnect). */
export function resendPending() {
  inFlight = null; // its answer, if any, was lost with the old socket
  pump();
}

function markFailed(entry, message) {
  const el = entry.element;
  el.classList.add("failed");
  el.classList.remove("pending");
  const time = el.querySelector(".msg-time time");
  time.textContent = `Not sent: ${message}`;
  const retry = document.createElement("button");
  retry.type = "button";
  retry.className = "button button-quiet button-small retry";
  retry.textContent = "Retry";
  retry.addEventListener("click", () => {
    retry.remove();
    el.classList.remove("failed");
    el.classList.add("pending");
    time.textContent = echoStatus();
    // At the end of the queue: it is sent after what was written since.
    pending.set(el.dataset.clientId, entry);
    pump();
  });
  el.querySelector(".msg-head").append(retry);
}

function autoGrow(textarea) {
  textarea.style.height = "auto";
  textarea.style.height = `${Math.min(textarea.scrollHeight + 2, 240)}px`;
}

function submitFrom(form, container, thread, withFiles) {
  const textarea = form.querySelector("textarea");
  const body = textarea.value.trim();
  const notReady = withFiles.check();
  if (notReady) {
    showComposerError(notReady, form);
    return;
  }
  if (!body && !withFiles.count()) return;
  // Whatever the error line said was about before this send.
  form.querySelector("[data-composer-error]").hidden = true;
  const shapes = withFiles.take();
  const attachments = shapes.map((a) => a.id);
  const clientId = newClientId();
  const element = renderEcho(body, clientId, shapes, echoStatus());
  container.querySelector("[data-chat-start]")?.remove();
  container.append(element);
  groupRuns(container);
  pending.set(clientId, { body, thread, element, attachments });
  // If the socket is down this goes out on reconnect (resendPending).
  pump();
  textarea.value = "";
  autoGrow(textarea);
  stoppedTyping();
  if (container === list) scrollToBottom();
  else element.scrollIntoView({ block: "nearest" });
}

function wireComposer(form, container, threadOf, withFiles) {
  const textarea = form.querySelector("textarea");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submitFrom(form, container, threadOf(), withFiles);
  });
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  textarea.addEventListener("input", () => {
    autoGrow(textarea);
    typed(textarea.value);
  });
  textarea.addEventListener("blur", stoppedTyping);
}

export function setUpComposer() {
  // Files waiting in each composer (attachments.js).
  const files = setUpAttachments(composer, {
    conversationId, dropZone: root, onError: showComposerError,
  });
  const threadFiles = setUpAttachments(threadComposer, {
    conversationId, dropZone: panel,
    onError: (message) => showComposerError(message, threadComposer),
  });
  wireComposer(composer, list, () => null, files);
  wireComposer(threadComposer, threadList, () => Number(panel.dataset.root), threadFiles);

  on("error", (event) => {
    const entry = event.client_id && pending.get(event.client_id);
    if (entry && event.code === "rate_limited") {
      // Typing faster than the server's send limit: wait, then go on in
      // order. The person is not told: their messages are on their way.
      if (inFlight === event.client_id) inFlight = null;
      clearTimeout(pauseTimer);
      pauseTimer = setTimeout(() => {
        pauseTimer = null;
        pump();
      }, Math.max(1, Number(event.retry_after) || 1) * 1000);
    } else if (entry) {
      pending.delete(event.client_id);
      if (inFlight === event.client_id) inFlight = null;
      markFailed(entry, event.message);
      pump();
    } else {
      showComposerError(event.message);
    }
  });

  // Say why an echo waits, and change it as the connection comes and goes.
  onStatus(() => {
    const text = echoStatus();
    for (const { element } of pending.values()) {
      const time = element.querySelector(".msg-time time");
      if (element.classList.contains("pending") && time) time.textContent = text;
    }
  });
}
