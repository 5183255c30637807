// The conversation page: live messages, local echo, catch-up, threads,
// reactions, edits, typing and read state. Server events are the truth;
// every handler is idempotent, so a replayed event (sync) changes nothing.
import { on, send } from "./socket.js";

const root = document.querySelector(".chat");
const conversationId = Number(root.dataset.conversation);
const me = Number(root.dataset.me);
const api = root.dataset.api;
let cursor = Number(root.dataset.cursor);
let lastRead = Number(root.dataset.lastRead);

const list = root.querySelector("[data-messages]");
const scroller = root.querySelector("[data-scroll]");
const composer = root.querySelector("[data-composer]");
const composerError = root.querySelector("[data-composer-error]");
const typingLine = root.querySelector("[data-typing]");
const template = document.getElementById("message-template");
const picker = document.querySelector("[data-reaction-picker]");
const panel = document.querySelector("[data-thread-panel]");
const threadList = panel.querySelector("[data-thread-messages]");
const threadComposer = panel.querySelector("[data-thread-composer]");
const sidebar = document.querySelector("[data-conversation-list]");

// Sends not yet confirmed by the server, by client_id. They are re-sent
// with the same client_id after a reconnect; the server stores one copy.
const pending = new Map();
const typers = new Map();
let lastTypingSent = 0;

// ---------------------------------------------------------------- helpers

function newClientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

function formatTime(iso) {
  return new Date(iso).toLocaleString([], {
    day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
  });
}

function nearBottom() {
  return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 120;
}

function scrollToBottom() {
  scroller.scrollTop = scroller.scrollHeight;
}

function findMessage(id, container = document) {
  return container.querySelector(`.msg[data-id="${id}"]`);
}

function findEcho(clientId, container = document) {
  return [...container.querySelectorAll(".msg.pending")].find(
    (el) => el.dataset.clientId === clientId,
  );
}

async function getJSON(path) {
  const response = await fetch(api + path, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`${response.status}`);
  return response.json();
}

// ---------------------------------------------------------------- render

function renderReactions(ul, reactions) {
  ul.replaceChildren();
  for (const { emoji, users } of reactions) {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "chip";
    button.dataset.emoji = emoji;
    button.setAttribute("aria-pressed", String(users.includes(me)));
    button.setAttribute("aria-label", `${emoji} ${users.length}, toggle your reaction`);
    button.append(`${emoji} `);
    const count = document.createElement("span");
    count.textContent = users.length;
    button.append(count);
    li.append(button);
    ul.append(li);
  }
}

function fillMessage(el, m) {
  el.id = `m${m.id}`;
  el.dataset.id = m.id;
  el.dataset.sender = m.sender.id;
  el.dataset.clientId = m.client_id;
  el.classList.remove("pending", "failed");
  el.classList.toggle("mine", m.sender.id === me);
  el.classList.toggle("deleted", m.deleted);
  el.querySelector(".avatar").textContent = m.sender.initials;
  el.querySelector(".msg-author").textContent = m.sender.name;
  const link = el.querySelector(".msg-time");
  link.href = `/messages/${m.conversation}/m/${m.id}/`;
  const time = link.querySelector("time");
  time.dateTime = m.created_at;
  time.textContent = formatTime(m.created_at);
  el.querySelector(".msg-edited").hidden = !m.edited_at;
  const body = el.querySelector(".msg-body");
  if (m.deleted) {
    body.innerHTML = '<p class="tombstone">This message was deleted.</p>';
    el.querySelector(".msg-actions")?.remove();
  } else {
    // m.html is the server's sanitiser output (nh3), never raw user text.
    body.innerHTML = m.html;
  }
  renderReactions(el.querySelector(".reactions"), m.reactions);
  if (m.sender.id !== me) {
    for (const own of el.querySelectorAll("[data-own]")) own.remove();
  }
  if (m.thread) el.querySelector(".thread-link")?.remove();
  return el;
}

function renderMessage(m) {
  return fillMessage(template.content.firstElementChild.cloneNode(true), m);
}

function renderEcho(body, clientId) {
  const el = template.content.firstElementChild.cloneNode(true);
  el.classList.add("pending", "mine");
  el.dataset.clientId = clientId;
  el.querySelector(".avatar").textContent = "…";
  el.querySelector(".msg-author").textContent = "You";
  el.querySelector(".msg-time time").textContent = "Sending…";
  const p = document.createElement("p");
  p.textContent = body; // shown as plain text until the server renders it
  el.querySelector(".msg-body").append(p);
  el.querySelector(".msg-actions").remove();
  return el;
}

// ---------------------------------------------------------------- sidebar

function sidebarItem(id) {
  return sidebar?.querySelector(`[data-conversation-id="${id}"]`);
}

function setUnread(id, count) {
  const badge = sidebarItem(id)?.querySelector(".badge");
  if (!badge) return;
  badge.dataset.unread = count;
  badge.querySelector(".n").textContent = count;
  badge.hidden = count === 0;
}

function bumpConversation(id, countsAsUnread) {
  const item = sidebarItem(id);
  if (!item) {
    addConversation(id);
    return;
  }
  item.parentElement.prepend(item);
  if (countsAsUnread) {
    const badge = item.querySelector(".badge");
    setUnread(id, Number(badge.dataset.unread) + 1);
  }
}

async function addConversation(id) {
  if (!sidebar || sidebarItem(id)) return;
  const data = await getJSON(`conversations/${id}`);
  if (sidebarItem(id)) return;
  const li = document.createElement("li");
  li.dataset.conversationId = id;
  const a = document.createElement("a");
  a.href = `/messages/${id}/`;
  const name = document.createElement("span");
  name.className = "convo-name";
  name.textContent = data.title;
  const badge = document.createElement("span");
  badge.className = "badge";
  badge.dataset.unread = 0;
  badge.hidden = true;
  badge.innerHTML = '<span class="visually-hidden">unread: </span><span class="n">0</span>';
  a.append(name, badge);
  li.append(a);
  sidebar.querySelector(".empty")?.remove();
  sidebar.prepend(li);
}

// ---------------------------------------------------------------- read state

let readTimer = null;

function latestMessageId() {
  const all = list.querySelectorAll(".msg[data-id]");
  return all.length ? Number(all[all.length - 1].dataset.id) : 0;
}

function markReadSoon() {
  clearTimeout(readTimer);
  readTimer = setTimeout(() => {
    const latest = latestMessageId();
    if (latest > lastRead && document.visibilityState === "visible" && nearBottom()) {
      send({ type: "read", conversation: conversationId, message: latest });
    }
  }, 400);
}

// ---------------------------------------------------------------- events

function applyNewMessage(m) {
  if (m.conversation !== conversationId) {
    bumpConversation(m.conversation, m.sender.id !== me && !m.thread);
    return;
  }
  bumpConversation(m.conversation, false);
  if (m.thread) {
    applyThreadReply(m);
    return;
  }
  const existing = findMessage(m.id);
  if (existing) {
    fillMessage(existing, m);
    return;
  }
  const stick = nearBottom();
  const echo = m.sender.id === me ? findEcho(m.client_id, list) : null;
  if (echo) {
    fillMessage(echo, m);
    pending.delete(m.client_id);
  } else {
    list.querySelector("[data-chat-start]")?.remove();
    list.append(renderMessage(m));
  }
  if (stick || m.sender.id === me) scrollToBottom();
  markReadSoon();
}

function applyThreadReply(m) {
  const rootEl = findMessage(m.thread, list);
  const inPanel = Number(panel.dataset.root) === m.thread && !panel.hidden;
  const known = findMessage(m.id, threadList);
  if (inPanel && !known) {
    const echo = m.sender.id === me ? findEcho(m.client_id, threadList) : null;
    if (echo) fillMessage(echo, m);
    else threadList.append(renderMessage(m));
    pending.delete(m.client_id);
  }
  if (rootEl && !rootEl.dataset.replies?.split(",").includes(String(m.id))) {
    const seen = rootEl.dataset.replies ? rootEl.dataset.replies.split(",") : [];
    rootEl.dataset.replies = [...seen, m.id].join(",");
    const link = rootEl.querySelector(".thread-link");
    if (link && !known) {
      const count = link.querySelector(".reply-count");
      const n = Number(count.textContent) + (inPanel || !seen.length ? 1 : 1);
      count.textContent = n;
      link.lastChild.textContent = n === 1 ? " reply" : " replies";
      link.hidden = false;
    }
  }
}

function applyChangedMessage(m) {
  for (const el of document.querySelectorAll(`.msg[data-id="${m.id}"]`)) fillMessage(el, m);
}

function applyReactions(event) {
  for (const el of document.querySelectorAll(`.msg[data-id="${event.message}"]`)) {
    renderReactions(el.querySelector(".reactions"), event.reactions);
  }
}

function showTyping() {
  const names = [...typers.values()].map((t) => t.name);
  if (names.length === 0) typingLine.textContent = "";
  else if (names.length === 1) typingLine.textContent = `${names[0]} is typing…`;
  else if (names.length === 2) typingLine.textContent = `${names[0]} and ${names[1]} are typing…`;
  else typingLine.textContent = "Several people are typing…";
}

function applyTyping(event) {
  if (event.conversation !== conversationId || event.user.id === me) return;
  clearTimeout(typers.get(event.user.id)?.timer);
  if (event.active) {
    // A lost "stop" must not leave the line up for ever.
    const timer = setTimeout(() => {
      typers.delete(event.user.id);
      showTyping();
    }, 6000);
    typers.set(event.user.id, { name: event.user.name, timer });
  } else {
    typers.delete(event.user.id);
  }
  showTyping();
}

function apply(event) {
  if (typeof event.cursor === "number" && event.cursor > cursor) cursor = event.cursor;
  switch (event.type) {
    case "message.new":
      if (event.message.sender.id !== me || event.message.conversation === conversationId) {
        typers.delete(event.message.sender.id);
        showTyping();
      }
      applyNewMessage(event.message);
      break;
    case "message.edited":
    case "message.deleted":
      applyChangedMessage(event.message);
      break;
    case "reaction.changed":
      applyReactions(event);
      break;
    case "conversation.updated":
      if (event.conversation.id === conversationId) {
        const names = event.conversation.members.map((p) => p.name).join(", ");
        root.querySelector(".chat-members small").textContent = names;
      }
      break;
    default:
      break;
  }
}

for (const type of ["message.new", "message.edited", "message.deleted",
  "reaction.changed", "conversation.updated"]) {
  on(type, apply);
}

on("typing", applyTyping);

on("message.ack", (event) => {
  applyNewMessage(event.message);
  pending.delete(event.client_id);
});

on("read.updated", (event) => {
  setUnread(event.conversation, event.unread);
  if (event.conversation === conversationId) {
    lastRead = Math.max(lastRead, event.last_read_id);
  }
});

on("conversation.joined", (event) => addConversation(event.conversation));

on("conversation.left", (event) => {
  sidebarItem(event.conversation)?.remove();
  if (event.conversation === conversationId) location.assign("/messages/");
});

on("error", (event) => {
  const entry = event.client_id && pending.get(event.client_id);
  if (entry) {
    pending.delete(event.client_id);
    markFailed(entry, event.message);
  } else {
    showComposerError(event.message);
  }
});

// Every (re)connect: catch up from the cursor, then resend unconfirmed sends.
on("hello", () => {
  send({ type: "sync", since: cursor });
  for (const [clientId, entry] of pending) sendMessage(entry.body, entry.thread, clientId);
});

on("sync.batch", (batch) => {
  for (const event of batch.events) apply(event);
  if (batch.cursor > cursor) cursor = batch.cursor;
  if (batch.more) send({ type: "sync", since: cursor });
});

// The server no longer has the events since our cursor: start afresh.
on("resync.required", () => location.reload());

// ---------------------------------------------------------------- sending

function showComposerError(message) {
  composerError.textContent = message;
  composerError.hidden = false;
  setTimeout(() => { composerError.hidden = true; }, 8000);
}

function markFailed(entry, message) {
  const el = entry.element;
  el.classList.add("failed");
  el.classList.remove("pending");
  const time = el.querySelector(".msg-time time");
  time.textContent = `Not sent: ${message}`;
  const retry = document.createElement("button");
  retry.type = "button";
  retry.className = "button button-quiet button-small";
  retry.textContent = "Retry";
  retry.addEventListener("click", () => {
    retry.remove();
    el.classList.remove("failed");
    el.classList.add("pending");
    time.textContent = "Sending…";
    sendMessage(entry.body, entry.thread, el.dataset.clientId);
  });
  el.querySelector(".msg-head").append(retry);
}

function sendMessage(body, thread, clientId) {
  send({
    type: "message.send", conversation: conversationId, body, client_id: clientId,
    ...(thread ? { thread } : {}),
  });
}

function submitFrom(form, container, thread) {
  const textarea = form.querySelector("textarea");
  const body = textarea.value.trim();
  if (!body) return;
  const clientId = newClientId();
  const element = renderEcho(body, clientId);
  container.querySelector("[data-chat-start]")?.remove();
  container.append(element);
  pending.set(clientId, { body, thread, element });
  // If the socket is down this goes out on reconnect (the "hello" handler).
  sendMessage(body, thread, clientId);
  textarea.value = "";
  autoGrow(textarea);
  send({ type: "typing.stop", conversation: conversationId });
  lastTypingSent = 0;
  if (container === list) scrollToBottom();
  else container.lastElementChild.scrollIntoView({ block: "nearest" });
}

function autoGrow(textarea) {
  textarea.style.height = "auto";
  textarea.style.height = `${Math.min(textarea.scrollHeight, 240)}px`;
}

function wireComposer(form, container, threadOf) {
  const textarea = form.querySelector("textarea");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submitFrom(form, container, threadOf());
  });
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  textarea.addEventListener("input", () => {
    autoGrow(textarea);
    const now = Date.now();
    if (textarea.value.trim() && now - lastTypingSent > 3000) {
      send({ type: "typing.start", conversation: conversationId });
      lastTypingSent = now;
    }
  });
  textarea.addEventListener("blur", () => {
    if (lastTypingSent) send({ type: "typing.stop", conversation: conversationId });
    lastTypingSent = 0;
  });
}

wireComposer(composer, list, () => null);
wireComposer(threadComposer, threadList, () => Number(panel.dataset.root));

// ---------------------------------------------------------------- actions

let pickerFor = null;

function openPicker(button, messageId) {
  pickerFor = { button, messageId };
  const rect = button.getBoundingClientRect();
  picker.hidden = false;
  picker.style.top = `${window.scrollY + rect.bottom + 4}px`;
  picker.style.left = `${Math.max(8, Math.min(rect.left, window.innerWidth - picker.offsetWidth - 8))}px`;
  button.setAttribute("aria-expanded", "true");
  picker.querySelector("button").focus();
}

function closePicker() {
  if (!pickerFor) return;
  picker.hidden = true;
  pickerFor.button.setAttribute("aria-expanded", "false");
  pickerFor.button.focus();
  pickerFor = null;
}

picker.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-emoji]");
  if (!button || !pickerFor) return;
  send({ type: "reaction.add", message: pickerFor.messageId, emoji: button.dataset.emoji });
  closePicker();
});

picker.addEventListener("keydown", (event) => {
  const items = [...picker.querySelectorAll("button")];
  const index = items.indexOf(document.activeElement);
  if (event.key === "Escape") closePicker();
  else if (event.key === "ArrowRight") items[(index + 1) % items.length].focus();
  else if (event.key === "ArrowLeft") items[(index - 1 + items.length) % items.length].focus();
  else return;
  event.preventDefault();
});

document.addEventListener("click", (event) => {
  if (pickerFor && !picker.contains(event.target) && event.target !== pickerFor.button) {
    closePicker();
  }
});

async function startEdit(el) {
  const id = Number(el.dataset.id);
  const message = await getJSON(`messages/${id}`);
  const body = el.querySelector(".msg-body");
  const saved = body.innerHTML;
  const form = document.createElement("form");
  form.className = "edit-form";
  const label = document.createElement("label");
  label.className = "visually-hidden";
  label.htmlFor = `edit-${id}`;
  label.textContent = "Edit message";
  const textarea = document.createElement("textarea");
  textarea.id = `edit-${id}`;
  textarea.value = message.body;
  textarea.maxLength = 10000;
  const save = document.createElement("button");
  save.type = "submit";
  save.className = "button button-small";
  save.textContent = "Save";
  const cancel = document.createElement("button");
  cancel.type = "button";
  cancel.className = "button button-quiet button-small";
  cancel.textContent = "Cancel";
  form.append(label, textarea, save, cancel);
  body.replaceChildren(form);
  textarea.focus();
  const restore = () => { body.innerHTML = saved; el.querySelector('[data-action="edit"]')?.focus(); };
  cancel.addEventListener("click", restore);
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Escape") restore();
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = textarea.value.trim();
    if (!text) return;
    send({ type: "message.edit", message: id, body: text });
    body.innerHTML = saved; // the message.edited event brings the new text
  });
}

async function openThread(rootId) {
  panel.dataset.root = rootId;
  panel.hidden = false;
  document.body.classList.add("thread-open");
  threadList.replaceChildren();
  const data = await getJSON(`messages/${rootId}/thread`);
  const rootEl = renderMessage(data.root);
  rootEl.classList.add("thread-root");
  rootEl.querySelector(".thread-link")?.remove();
  rootEl.querySelector('[data-action="thread"]')?.remove();
  threadList.append(rootEl);
  for (const reply of data.replies) threadList.append(renderMessage(reply));
  panel.querySelector("textarea").focus();
}

function closeThread() {
  const rootId = panel.dataset.root;
  panel.hidden = true;
  document.body.classList.remove("thread-open");
  delete panel.dataset.root;
  findMessage(rootId, list)?.querySelector('[data-action="thread"]')?.focus();
}

panel.querySelector("[data-thread-close]").addEventListener("click", closeThread);
panel.addEventListener("keydown", (event) => {
  if (event.key === "Escape") closeThread();
});

document.addEventListener("click", (event) => {
  const chip = event.target.closest(".chip[data-emoji]");
  if (chip) {
    const id = Number(chip.closest(".msg").dataset.id);
    const mine = chip.getAttribute("aria-pressed") === "true";
    send({ type: mine ? "reaction.remove" : "reaction.add", message: id, emoji: chip.dataset.emoji });
    return;
  }
  const button = event.target.closest("button[data-action]");
  if (!button) return;
  const el = button.closest(".msg");
  const id = Number(el.dataset.id);
  switch (button.dataset.action) {
    case "react":
      if (pickerFor?.button === button) closePicker();
      else openPicker(button, id);
      break;
    case "thread":
      openThread(id);
      break;
    case "edit":
      startEdit(el);
      break;
    case "delete":
      // eslint-disable-next-line no-alert
      if (window.confirm("Delete this message? Everyone will see that it was deleted.")) {
        send({ type: "message.delete", message: id });
      }
      break;
    default:
      break;
  }
});

// ---------------------------------------------------------------- history

const older = root.querySelector("[data-load-older]");
older?.addEventListener("click", async () => {
  const first = list.querySelector(".msg[data-id]");
  if (!first) return;
  older.disabled = true;
  const before = scroller.scrollHeight;
  const data = await getJSON(`conversations/${conversationId}/messages?before=${first.dataset.id}&limit=50`);
  const fragment = document.createDocumentFragment();
  for (const m of data.messages) {
    if (findMessage(m.id, list)) continue;
    const el = renderMessage(m);
    if (m.reply_count) {
      const link = el.querySelector(".thread-link");
      link.hidden = false;
      link.querySelector(".reply-count").textContent = m.reply_count;
    }
    fragment.append(el);
  }
  list.prepend(fragment);
  scroller.scrollTop += scroller.scrollHeight - before;
  older.disabled = false;
  if (data.messages.length < 50) older.remove();
});

// ---------------------------------------------------------------- start

scroller.addEventListener("scroll", () => { if (nearBottom()) markReadSoon(); });
document.addEventListener("visibilitychange", markReadSoon);
window.addEventListener("focus", markReadSoon);

const highlighted = list.querySelector(".msg.highlight");
const divider = list.querySelector("[data-new-divider]");
if (highlighted) {
  highlighted.scrollIntoView({ block: "center" });
  highlighted.focus();
} else if (divider) {
  divider.scrollIntoView({ block: "start" });
} else {
  scrollToBottom();
}
markReadSoon();
composer.querySelector("textarea").focus({ preventScroll: true });
