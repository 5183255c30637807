// Sending: the composers (the conversation's and the thread panel's), the
// local echo shown at once, and the sends not yet confirmed, which go out
// again with the same client_id after a reconnect (the server stores one
// copy) or wait behind a Retry button after an error.
import { on, send } from "../socket.js";
import { setUpAttachments } from "../attachments.js";
import {
  composer, conversationId, list, panel, root, scrollToBottom, showComposerError,
  threadComposer, threadList,
} from "./page.js";
import { groupRuns, renderEcho } from "./render.js";
import { stoppedTyping, typed } from "./typing.js";

// Sends not yet confirmed by the server, by client_id.
const pending = new Map();

/** The server has the send `clientId`: stop waiting for it. */
export function confirmed(clientId) {
  pending.delete(clientId);
}

function newClientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

function sendMessage(body, thread, clientId, attachments = []) {
  send({
    type: "message.send", conversation: conversationId, body, client_id: clientId,
    ...(thread ? { thread } : {}),
    ...(attachments.length ? { attachments } : {}),
  });
}

/** Send again what the server has not confirmed (after a reconnect). */
export function resendPending() {
  for (const [clientId, entry] of pending) {
    sendMessage(entry.body, entry.thread, clientId, entry.attachments);
  }
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
    time.textContent = "Sending…";
    pending.set(el.dataset.clientId, entry);
    sendMessage(entry.body, entry.thread, el.dataset.clientId, entry.attachments);
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
  const element = renderEcho(body, clientId, shapes);
  container.querySelector("[data-chat-start]")?.remove();
  container.append(element);
  groupRuns(container);
  pending.set(clientId, { body, thread, element, attachments });
  // If the socket is down this goes out on reconnect (resendPending).
  sendMessage(body, thread, clientId, attachments);
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
    if (entry) {
      pending.delete(event.client_id);
      markFailed(entry, event.message);
    } else {
      showComposerError(event.message);
    }
  });
}
