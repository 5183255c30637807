// Messages: the conversation list (inbox and conversation pages) and the
// conversation page itself: live messages, local echo, catch-up, threads,
// reactions, edits, typing and read state. Server events are the truth;
// every handler is idempotent, so a replayed event (sync) changes nothing.
import { on, onStatus, send } from "./socket.js";
import { memberNames, presenceDot } from "./presence.js";
import { renderAttachments, setUpAttachments } from "./attachments.js";
import { badgeCount } from "./badge.js";
import { conversationTitle } from "./conversation-title.js";

const me = Number(document.body.dataset.me);
const sidebar = document.querySelector("[data-conversation-list]");
const api = sidebar?.dataset.api || "/api/v1/";
const root = document.querySelector(".chat");

// ---------------------------------------------------------------- helpers

async function getJSON(path) {
  const response = await fetch(api + path, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`${response.status}`);
  return response.json();
}

// ---------------------------------------------------------------- sidebar

function sidebarItem(id) {
  return sidebar?.querySelector(`[data-conversation-id="${id}"]`);
}

// Counted up by every live change to a count, so that refreshSidebar can
// tell whether its answer is already out of date.
let countChanges = 0;

function setUnread(id, count) {
  const badge = sidebarItem(id)?.querySelector(".badge");
  if (!badge) return;
  // The conversation on screen shows its news itself ("New messages").
  if (root && id === Number(root.dataset.conversation)) count = 0;
  badge.dataset.unread = count;
  badge.querySelector(".n").textContent = badgeCount(count);
  badge.hidden = count === 0;
}

function conversationItem(data) {
  const li = document.createElement("li");
  li.dataset.conversationId = data.id;
  li.dataset.kind = data.kind;
  const a = document.createElement("a");
  a.href = `/messages/${data.id}/`;
  if (root && data.id === Number(root.dataset.conversation)) {
    a.setAttribute("aria-current", "page");
  }
  const name = document.createElement("span");
  name.className = "convo-name";
  if (data.kind === "group") {
    const hash = document.createElement("span");
    hash.setAttribute("aria-hidden", "true");
    hash.textContent = "#";
    name.append(hash, " ");
  }
  name.append(data.title);
  const badge = document.createElement("span");
  badge.className = "badge";
  badge.dataset.unread = 0;
  badge.hidden = true;
  badge.innerHTML = '<span class="visually-hidden">unread: </span><span class="n">0</span>';
  a.append(name);
  // A summary names the other person of a direct chat; a conversation
  // lists its members.
  const peer = data.kind === "direct" && (data.peer ?? data.members?.find((p) => p.id !== me)?.id);
  if (peer) a.append(presenceDot(peer));
  a.append(badge);
  li.append(a);
  return li;
}

function setSidebarTitle(id, title) {
  const name = sidebarItem(id)?.querySelector(".convo-name");
  if (!name) return;
  const hash = name.querySelector("[aria-hidden]");
  name.replaceChildren(...(hash ? [hash, " "] : []), title);
}

function bumpConversation(id, countsAsUnread) {
  const item = sidebarItem(id);
  if (!item) {
    addConversation(id);
    return;
  }
  if (item.parentElement.firstElementChild !== item) item.parentElement.prepend(item);
  if (countsAsUnread) {
    countChanges += 1;
    const badge = item.querySelector(".badge");
    setUnread(id, Number(badge.dataset.unread) + 1);
  }
}

async function addConversation(id) {
  if (!sidebar || sidebarItem(id)) return;
  const data = await getJSON(`conversations/${id}`);
  if (sidebarItem(id)) return;
  sidebar.querySelector(".empty")?.remove();
  sidebar.prepend(conversationItem(data));
}

// After every (re)connect: the server's list, order and counts replace
// whatever was missed while the socket was down. A count that changed live
// while the list was on its way may or may not be in it: ask again.
async function refreshSidebar() {
  if (!sidebar) return;
  let summaries;
  for (let attempt = 0; ; attempt += 1) {
    const changes = countChanges;
    try {
      summaries = await getJSON("conversations");
    } catch {
      return; // the counts stay as they were; the next reconnect retries
    }
    if (countChanges === changes || attempt === 3) break;
  }
  const wanted = new Set(summaries.map((s) => String(s.id)));
  for (const item of sidebar.querySelectorAll("[data-conversation-id]")) {
    if (!wanted.has(item.dataset.conversationId)) item.remove();
  }
  let previous = null;
  for (const summary of summaries) {
    const item = sidebarItem(summary.id) || conversationItem(summary);
    if (previous ? previous.nextElementSibling !== item : sidebar.firstElementChild !== item) {
      if (previous) previous.after(item);
      else sidebar.prepend(item);
    }
    setUnread(summary.id, summary.unread);
    previous = item;
  }
  if (summaries.length) sidebar.querySelector(".empty")?.remove();
  // For the mention badges (mentions.js).
  document.dispatchEvent(new CustomEvent("canteen:conversations", { detail: summaries }));
}

if (sidebar) {
  on("hello", refreshSidebar);
  on("read.updated", (event) => {
    countChanges += 1;
    setUnread(event.conversation, event.unread);
  });
  on("conversation.joined", (event) => addConversation(event.conversation));
  on("conversation.left", (event) => sidebarItem(event.conversation)?.remove());
  // Renamed, or (a group without a name) its people changed. After a
  // reconnect the server's list brings the names missed meanwhile, except
  // where an event since then already told a name as new or newer.
  let renamedLive = new Set();
  on("hello", () => { renamedLive = new Set(); });
  on("conversation.updated", (event) => {
    renamedLive.add(event.conversation.id);
    setSidebarTitle(event.conversation.id, conversationTitle(event.conversation, me));
  });
  document.addEventListener("canteen:conversations", (event) => {
    for (const summary of event.detail) {
      if (!renamedLive.has(summary.id)) setSidebarTitle(summary.id, summary.title);
    }
  });
  // Only the conversation page's own handler (below) knows whether a message
  // in it is being read; elsewhere every message from someone else counts.
  if (!root) {
    on("message.new", (event) => {
      const m = event.message;
      bumpConversation(m.conversation, m.sender.id !== me && !m.thread);
    });
  }
}

if (root) setUpConversation();

// ---------------------------------------------------------------- page

function setUpConversation() {
  const conversationId = Number(root.dataset.conversation);
  // The cursor the page was rendered at: what the HTML already shows.
  const renderedAt = Number(root.dataset.cursor);
  let cursor = renderedAt;
  // The cursors this tab has applied, the page's included (data-seen):
  // each sync names those at or below its cursor, so the server's replay
  // of late commits leaves them out. It looks back 200 ids
  // (messaging.selectors.SYNC_LOOKBACK), so the newest 200 are all it uses.
  const SEEN_MAX = 200;
  let seen = new Set((root.dataset.seen || "").split(" ").filter(Boolean).map(Number));
  function noteSeen(at) {
    seen.add(at);
    if (seen.size > 2 * SEEN_MAX) seen = new Set(newestSeen(Infinity));
  }
  function newestSeen(atMost) {
    return [...seen].filter((c) => c <= atMost).sort((a, b) => b - a).slice(0, SEEN_MAX);
  }
  function syncFrom(since) {
    send({ type: "sync", since, seen: newestSeen(since) });
  }
  let lastRead = Number(root.dataset.lastRead);
  const readAtLoad = lastRead; // where the "New messages" line was drawn

  const list = root.querySelector("[data-messages]");
  const scroller = root.querySelector("[data-scroll]");
  const composer = root.querySelector("[data-composer]");
  const typingLine = root.querySelector("[data-typing]");
  const template = document.getElementById("message-template");
  const picker = document.querySelector("[data-reaction-picker]");
  const panel = document.querySelector("[data-thread-panel]");
  const threadList = panel.querySelector("[data-thread-messages]");
  const threadComposer = panel.querySelector("[data-thread-composer]");
  const older = root.querySelector("[data-load-older]");
  // Files waiting in each composer (attachments.js).
  const files = setUpAttachments(composer, {
    conversationId, api, dropZone: root, onError: showComposerError,
  });
  const threadFiles = setUpAttachments(threadComposer, {
    conversationId, api, dropZone: panel,
    onError: (message) => showComposerError(message, threadComposer),
  });

  // Sends not yet confirmed by the server, by client_id. They are re-sent
  // with the same client_id after a reconnect; the server stores one copy.
  const pending = new Map();
  const typers = new Map();
  // Messages of other conversations already counted in the sidebar.
  const counted = new Set();
  let lastTypingSent = 0;
  // True while a catch-up applies its events: the list is laid out once,
  // at the end, not after each message.
  let catchingUp = false;

  function newClientId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  }

  function formatTime(iso) {
    return new Date(iso).toLocaleString([], {
      day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
    });
  }

  function formatClock(iso) {
    return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  // Messages one person sends within a few minutes read as one run: only
  // the first shows the name and avatar (the name stays for screen readers).
  const RUN_GAP_MS = 5 * 60 * 1000;

  function groupRuns(container) {
    let previous = null;
    for (const el of container.children) {
      if (!el.classList.contains("msg")) {
        previous = null; // the "New messages" line starts a new run
        continue;
      }
      if (el.classList.contains("pending") || el.classList.contains("failed")) {
        el.classList.remove("continued"); // its head says how the send is going
        previous = null;
        continue;
      }
      const time = el.querySelector(".msg-time time");
      const at = Date.parse(time.dateTime);
      const continued = Boolean(previous)
        && !el.classList.contains("thread-root")
        && !previous.classList.contains("thread-root")
        && previous.dataset.sender === el.dataset.sender
        && at - previous.at < RUN_GAP_MS;
      el.classList.toggle("continued", continued);
      if (time.dateTime) time.textContent = continued ? formatClock(time.dateTime) : formatTime(time.dateTime);
      previous = { dataset: el.dataset, classList: el.classList, at };
    }
  }

  function nearBottom() {
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 120;
  }

  function scrollToBottom() {
    scroller.scrollTop = scroller.scrollHeight;
  }

  function findMessage(id, container) {
    return container.querySelector(`.msg[data-id="${id}"]`);
  }

  function findEcho(clientId, container) {
    return [...container.querySelectorAll(".msg.pending, .msg.failed")].find(
      (el) => el.dataset.clientId === clientId,
    );
  }

  // Focus a button in a message's action bar. The bar shows only on hover
  // or focus inside the message, so it is shown first: focus() skips
  // elements that are not displayed.
  function focusAction(el, action) {
    const button = el?.querySelector(`.msg-actions [data-action="${action}"]`);
    if (!button) {
      el?.focus();
      return;
    }
    el.classList.add("show-actions");
    button.focus();
    el.classList.remove("show-actions");
  }

  // -------------------------------------------------------------- render

  function renderReactions(ul, reactions) {
    ul.replaceChildren();
    for (const { emoji, users } of reactions) {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "chip";
      button.dataset.emoji = emoji;
      const mine = users.includes(me);
      button.setAttribute("aria-pressed", String(mine));
      const who = users.length === 1 ? "1 person" : `${users.length} people`;
      button.setAttribute("aria-label", `${emoji} ${who}${mine ? ", including you" : ""}`);
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
    el.querySelector(".msg-head .retry")?.remove();
    const link = el.querySelector(".msg-time");
    link.href = `/messages/${m.conversation}/m/${m.id}/`;
    link.title = "Link to this message";
    const time = link.querySelector("time");
    time.dateTime = m.created_at;
    time.textContent = formatTime(m.created_at);
    el.querySelector(".msg-edited").hidden = !m.edited_at || m.deleted;
    const body = el.querySelector(".msg-body");
    let actions = el.querySelector(".msg-actions");
    if (m.deleted) {
      body.innerHTML = '<p class="tombstone">This message was deleted.</p>';
      actions?.remove();
    } else {
      // m.html is the server's sanitiser output (nh3), never raw user text.
      body.innerHTML = m.html;
      if (!actions) {
        // A local echo has no actions until the server has the message.
        actions = template.content.querySelector(".msg-actions").cloneNode(true);
        el.querySelector(".msg-main").append(actions);
      }
    }
    renderAttachments(el, m.deleted ? [] : m.attachments);
    renderReactions(el.querySelector(".reactions"), m.reactions);
    if (m.sender.id !== me) {
      for (const own of el.querySelectorAll("[data-own]")) own.remove();
    }
    if (m.thread) {
      // A reply lives in its thread: no thread of its own.
      for (const button of el.querySelectorAll('[data-action="thread"]')) button.remove();
    }
    return el;
  }

  function renderMessage(m) {
    return fillMessage(template.content.firstElementChild.cloneNode(true), m);
  }

  function renderEcho(body, clientId, attachments = []) {
    const el = template.content.firstElementChild.cloneNode(true);
    el.classList.add("pending", "mine");
    el.dataset.clientId = clientId;
    el.querySelector(".avatar").textContent = root.dataset.initials || "…";
    el.querySelector(".msg-author").textContent = "You";
    el.dataset.sender = me;
    el.querySelector(".msg-time").removeAttribute("title");
    el.querySelector(".msg-time time").textContent = "Sending…";
    const p = document.createElement("p");
    p.textContent = body; // shown as plain text until the server renders it
    if (body) el.querySelector(".msg-body").append(p);
    renderAttachments(el, attachments);
    el.querySelector(".msg-actions").remove();
    return el;
  }

  // Put a confirmed message in id order: a late commit or a catch-up may
  // bring a message older than the last one shown. Unconfirmed echoes stay
  // at the bottom.
  function place(el, id) {
    const shown = list.querySelectorAll(":scope > .msg[data-id]");
    let next = null;
    for (let i = shown.length - 1; i >= 0 && Number(shown[i].dataset.id) > id; i -= 1) {
      if (shown[i] !== el) next = shown[i];
    }
    if (!next) next = list.querySelector(":scope > .msg.pending, :scope > .msg.failed");
    if (el.parentElement === list && (next === el || el.nextElementSibling === next)) return;
    list.insertBefore(el, next);
  }

  // -------------------------------------------------------------- read state

  let readTimer = null;

  function latestMessageId() {
    const all = list.querySelectorAll(":scope > .msg[data-id]");
    return all.length ? Number(all[all.length - 1].dataset.id) : 0;
  }

  // Live messages arrive in bursts: one read marker for the burst.
  function markReadSoon(delay = 400) {
    clearTimeout(readTimer);
    readTimer = setTimeout(() => {
      const latest = latestMessageId();
      if (latest > lastRead && document.visibilityState === "visible" && nearBottom()) {
        send({ type: "read", conversation: conversationId, message: latest });
      }
    }, delay);
  }

  // -------------------------------------------------------------- events

  // `live`: the event came as it happened (or is our own send's answer),
  // not replayed by a catch-up. `event.cursor`: its place in the replay
  // log; at or below `renderedAt`, the HTML already showed it.
  function applyNewMessage(m, { live, cursor: at }) {
    if (m.conversation !== conversationId) {
      // Replays are already in the counts refreshSidebar fetches.
      if (live && !counted.has(m.id)) {
        counted.add(m.id);
        bumpConversation(m.conversation, m.sender.id !== me && !m.thread);
      }
      return;
    }
    if (live) bumpConversation(m.conversation, false);
    if (m.thread) {
      applyThreadReply(m, typeof at === "number" && at <= renderedAt);
      return;
    }
    // Shown already, as new as this or newer (edits come as their own events).
    if (findMessage(m.id, list)) return;
    const echo = m.sender.id === me ? findEcho(m.client_id, list) : null;
    const first = list.querySelector(":scope > .msg[data-id]");
    if (!echo && older?.isConnected && first && m.id < Number(first.dataset.id)) {
      return; // older than the page shows: "Load older messages" has it
    }
    const stick = nearBottom();
    let el = echo;
    if (echo) {
      fillMessage(echo, m);
      pending.delete(m.client_id);
    } else {
      list.querySelector("[data-chat-start]")?.remove();
      el = renderMessage(m);
    }
    place(el, m.id);
    if (!catchingUp) groupRuns(list);
    if (stick || echo) scrollToBottom();
    markReadSoon();
  }

  function applyThreadReply(m, reflected) {
    const inPanel = !panel.hidden && Number(panel.dataset.root) === m.thread;
    if (inPanel && !findMessage(m.id, threadList)) {
      const echo = m.sender.id === me ? findEcho(m.client_id, threadList) : null;
      if (echo) fillMessage(echo, m);
      else threadList.append(renderMessage(m));
      pending.delete(m.client_id);
      groupRuns(threadList);
    }
    const rootEl = findMessage(m.thread, list);
    if (!rootEl) return;
    // The rendered count includes the replies the HTML was made with; each
    // later reply counts once, however often it is replayed.
    const seen = rootEl.dataset.replies ? rootEl.dataset.replies.split(",") : [];
    if (seen.includes(String(m.id))) return;
    rootEl.dataset.replies = [...seen, m.id].join(",");
    if (reflected) return;
    setReplyCount(rootEl, Number(rootEl.querySelector(".reply-count").textContent) + 1);
  }

  function setReplyCount(rootEl, n) {
    const link = rootEl.querySelector(".thread-link");
    if (!link) return;
    link.querySelector(".reply-count").textContent = n;
    link.lastChild.textContent = n === 1 ? " reply" : " replies";
    link.hidden = n === 0;
  }

  function applyChangedMessage(m) {
    for (const el of document.querySelectorAll(`.msg[data-id="${m.id}"]`)) {
      const hadFocus = el.contains(document.activeElement);
      if (el.querySelector(".edit-form")) continue; // being edited here: keep it
      fillMessage(el, m);
      if (el.classList.contains("thread-root")) {
        el.querySelector(".thread-link")?.remove();
        el.querySelector('[data-action="thread"]')?.remove();
      }
      // Deleting removes the focused button: keep the place in the list.
      if (hadFocus && !el.contains(document.activeElement)) el.focus();
    }
    groupRuns(list);
    groupRuns(threadList);
  }

  function applyReactions(event) {
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

  function showTyping() {
    const names = [...typers.values()].map((t) => t.name);
    let text = "";
    if (names.length === 1) text = `${names[0]} is typing…`;
    else if (names.length === 2) text = `${names[0]} and ${names[1]} are typing…`;
    else if (names.length > 2) text = "Several people are typing…";
    if (typingLine.textContent !== text) typingLine.textContent = text;
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

  // The conversation's name where this page shows it (as the template
  // draws it): the header, the tab's title, the composer, Leave's question.
  const heading = root.querySelector("#chat-title");
  const siteName = document.title.slice(document.title.lastIndexOf(" · "));
  function showTitle(title) {
    if (heading.textContent === title) return;
    heading.textContent = title;
    document.title = title + siteName;
    const body = composer.querySelector("textarea");
    body.placeholder = `Message ${title}`;
    composer.querySelector(`label[for="${body.id}"]`).textContent = `Message ${title}`;
    const leave = root.querySelector("form[data-confirm]");
    if (leave) leave.dataset.confirm = `Leave ${title}? You will need someone to add you back.`;
  }

  function apply(event, live) {
    if (typeof event.cursor === "number") {
      noteSeen(event.cursor);
      if (event.cursor > cursor) cursor = event.cursor;
    }
    switch (event.type) {
      case "message.new":
        if (event.message.conversation === conversationId && typers.has(event.message.sender.id)) {
          clearTimeout(typers.get(event.message.sender.id).timer);
          typers.delete(event.message.sender.id);
          showTyping();
        }
        applyNewMessage(event.message, { live, cursor: event.cursor });
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
          const { members } = event.conversation;
          root.querySelector("[data-member-names]").replaceChildren(memberNames(members, me));
          const count = root.querySelector("[data-member-count]");
          if (count) count.textContent = `${members.length} people`;
          showTitle(conversationTitle(event.conversation, me));
        }
        break;
      default:
        break;
    }
  }

  for (const type of ["message.new", "message.edited", "message.deleted",
    "reaction.changed", "conversation.updated"]) {
    on(type, (event) => apply(event, true));
  }

  on("typing", applyTyping);

  on("message.ack", (event) => {
    applyNewMessage(event.message, { live: true });
    pending.delete(event.client_id);
  });

  on("read.updated", (event) => {
    if (event.conversation === conversationId) {
      lastRead = Math.max(lastRead, event.last_read_id);
    }
  });

  // Left elsewhere (another tab, the API): go to the inbox. Left here, the
  // form's own navigation is under way and brings the "You left" message;
  // a second navigation would race it and could lose that message.
  let leavingHere = false;
  on("conversation.left", (event) => {
    if (event.conversation === conversationId && !leavingHere) location.assign("/messages/");
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

  // Every (re)connect: catch up from the cursor, then resend unconfirmed
  // sends. While catching up the list may change a lot: assistive
  // technology waits (aria-busy) instead of reading each step.
  on("hello", () => {
    list.setAttribute("aria-busy", "true");
    syncFrom(cursor);
    for (const [clientId, entry] of pending) {
      sendMessage(entry.body, entry.thread, clientId, entry.attachments);
    }
  });

  on("sync.batch", (batch) => {
    catchingUp = true;
    try {
      for (const event of batch.events) apply(event, false);
    } finally {
      catchingUp = false;
    }
    groupRuns(list);
    if (batch.cursor > cursor) cursor = batch.cursor;
    if (batch.more) {
      syncFrom(cursor);
      return;
    }
    list.setAttribute("aria-busy", "false");
    markReadSoon(0);
  });

  // The server no longer has the events since our cursor: start afresh.
  on("resync.required", () => location.reload());

  // -------------------------------------------------------------- sending

  const errorTimers = new Map();

  // Say what went wrong under `form`, the composer the person is using
  // (the thread panel's covers the conversation on a phone).
  function showComposerError(message, form = composer) {
    const line = form.querySelector("[data-composer-error]");
    line.textContent = message;
    line.hidden = false;
    clearTimeout(errorTimers.get(line));
    errorTimers.set(line, setTimeout(() => { line.hidden = true; }, 8000));
  }

  // Reactions, edits and deletes are not queued like messages: say so
  // when the socket is down rather than drop them silently.
  function act(event) {
    if (send(event)) return true;
    showComposerError("Not connected. Try again when the connection is back.");
    return false;
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

  function sendMessage(body, thread, clientId, attachments = []) {
    send({
      type: "message.send", conversation: conversationId, body, client_id: clientId,
      ...(thread ? { thread } : {}),
      ...(attachments.length ? { attachments } : {}),
    });
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
    // If the socket is down this goes out on reconnect (the "hello" handler).
    sendMessage(body, thread, clientId, attachments);
    textarea.value = "";
    autoGrow(textarea);
    if (lastTypingSent) send({ type: "typing.stop", conversation: conversationId });
    lastTypingSent = 0;
    if (container === list) scrollToBottom();
    else element.scrollIntoView({ block: "nearest" });
  }

  function autoGrow(textarea) {
    textarea.style.height = "auto";
    textarea.style.height = `${Math.min(textarea.scrollHeight + 2, 240)}px`;
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
      const now = Date.now();
      if (!textarea.value.trim()) {
        if (lastTypingSent) send({ type: "typing.stop", conversation: conversationId });
        lastTypingSent = 0;
      } else if (now - lastTypingSent > 3000) {
        send({ type: "typing.start", conversation: conversationId });
        lastTypingSent = now;
      }
    });
    textarea.addEventListener("blur", () => {
      if (lastTypingSent) send({ type: "typing.stop", conversation: conversationId });
      lastTypingSent = 0;
    });
  }

  wireComposer(composer, list, () => null, files);
  wireComposer(threadComposer, threadList, () => Number(panel.dataset.root), threadFiles);

  // -------------------------------------------------------------- reactions

  let pickerFor = null;

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

  // -------------------------------------------------------------- edit

  async function startEdit(el) {
    const id = Number(el.dataset.id);
    let message;
    try {
      message = await getJSON(`messages/${id}`);
    } catch {
      showComposerError("That message could not be loaded for editing. Try again.");
      return;
    }
    const body = el.querySelector(".msg-body");
    if (body.querySelector(".edit-form")) return;
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
    textarea.rows = 2;
    textarea.dataset.mentions = ""; // @ autocomplete (mentions.js)
    const save = document.createElement("button");
    save.type = "submit";
    save.className = "button button-small";
    save.textContent = "Save";
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "button button-quiet button-small";
    cancel.textContent = "Cancel";
    const hint = document.createElement("small");
    hint.id = `edit-${id}-hint`;
    hint.textContent = "Enter to save, Escape to cancel.";
    textarea.setAttribute("aria-describedby", hint.id);
    form.append(label, textarea, save, cancel, hint);
    body.replaceChildren(form);
    textarea.focus();
    textarea.setSelectionRange(textarea.value.length, textarea.value.length);
    const restore = () => {
      body.innerHTML = saved;
      focusAction(el, "edit");
    };
    cancel.addEventListener("click", restore);
    textarea.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.stopPropagation(); // in the thread panel, close the edit only
        restore();
      }
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = textarea.value.trim();
      if (!text) return;
      if (!act({ type: "message.edit", message: id, body: text })) return;
      restore(); // the message.edited event brings the new text
    });
  }

  // -------------------------------------------------------------- threads

  async function openThread(rootId) {
    panel.dataset.root = rootId;
    panel.hidden = false;
    document.body.classList.add("thread-open");
    threadList.replaceChildren();
    threadList.setAttribute("aria-busy", "true");
    panel.querySelector("textarea").focus();
    let data;
    try {
      data = await getJSON(`messages/${rootId}/thread`);
    } catch {
      showComposerError("The thread could not be loaded. Try again.", threadComposer);
      threadList.setAttribute("aria-busy", "false");
      return;
    }
    if (Number(panel.dataset.root) !== rootId) return; // another one opened
    const rootEl = renderMessage(data.root);
    rootEl.classList.add("thread-root");
    rootEl.querySelector(".thread-link")?.remove();
    rootEl.querySelector('[data-action="thread"]')?.remove();
    const loaded = new Set(data.replies.map((r) => String(r.id)));
    // Replies that arrived live while the thread loaded stay, once.
    const live = [...threadList.querySelectorAll(".msg")].filter(
      (el) => !loaded.has(el.dataset.id),
    );
    threadList.replaceChildren(rootEl, ...data.replies.map(renderMessage), ...live);
    groupRuns(threadList);
    threadList.setAttribute("aria-busy", "false");
    const listed = findMessage(rootId, list);
    if (listed) setReplyCount(listed, Math.max(data.replies.length, Number(listed.querySelector(".reply-count")?.textContent || 0)));
  }

  function closeThread() {
    const rootId = panel.dataset.root;
    panel.hidden = true;
    document.body.classList.remove("thread-open");
    delete panel.dataset.root;
    const rootEl = findMessage(rootId, list);
    const link = rootEl?.querySelector(".thread-link:not([hidden])");
    if (link) link.focus();
    else focusAction(rootEl, "thread");
  }

  panel.querySelector("[data-thread-close]").addEventListener("click", closeThread);
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !pickerFor) closeThread();
  });

  // -------------------------------------------------------------- actions

  document.addEventListener("click", (event) => {
    const chip = event.target.closest(".chip[data-emoji]");
    if (chip) {
      const id = Number(chip.closest(".msg").dataset.id);
      const mine = chip.getAttribute("aria-pressed") === "true";
      act({ type: mine ? "reaction.remove" : "reaction.add", message: id, emoji: chip.dataset.emoji });
      return;
    }
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const el = button.closest(".msg");
    const id = Number(el.dataset.id);
    switch (button.dataset.action) {
      case "react":
        if (pickerFor?.button === button) closePicker();
        else {
          closePicker({ refocus: false });
          openPicker(button, id);
        }
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
          act({ type: "message.delete", message: id });
        }
        break;
      default:
        break;
    }
  });

  for (const form of root.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      // eslint-disable-next-line no-alert
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      else leavingHere = true;
    });
  }

  // -------------------------------------------------------------- history

  older?.addEventListener("click", async () => {
    const first = list.querySelector(":scope > .msg[data-id]");
    if (!first) return;
    older.disabled = true;
    const before = scroller.scrollHeight;
    let data;
    try {
      data = await getJSON(`conversations/${conversationId}/messages?before=${first.dataset.id}&limit=50`);
    } catch {
      showComposerError("Older messages could not be loaded. Try again.");
      return;
    } finally {
      older.disabled = false;
    }
    const fragment = document.createDocumentFragment();
    const divider = list.querySelector("[data-new-divider]");
    for (const m of data.messages) {
      if (findMessage(m.id, list)) continue;
      // Unread older messages belong below the "New messages" line too.
      if (divider && !divider.dataset.moved && m.id > readAtLoad && m.sender.id !== me) {
        divider.dataset.moved = "true";
        fragment.append(divider);
      }
      const el = renderMessage(m);
      if (m.reply_count) setReplyCount(el, m.reply_count);
      fragment.append(el);
    }
    list.prepend(fragment);
    groupRuns(list);
    scroller.scrollTop += scroller.scrollHeight - before;
    if (data.messages.length < 50) older.remove();
  });

  // -------------------------------------------------------------- start

  // On a touch screen a tap shows a message's actions under it: bring
  // them into view.
  const touch = window.matchMedia("(hover: none)");
  list.addEventListener("focusin", (event) => {
    const el = event.target.closest(".msg");
    if (touch.matches && el) {
      requestAnimationFrame(() => el.scrollIntoView({ block: "nearest" }));
    }
  });

  scroller.addEventListener("scroll", () => { if (nearBottom()) markReadSoon(); });
  document.addEventListener("visibilitychange", () => markReadSoon());
  window.addEventListener("focus", () => markReadSoon());

  // The server wrote times in UTC; show them in the reader's time zone, as
  // live messages are, and fold runs of one sender.
  groupRuns(list);

  // The connection state is in the sidebar; where the typing happens, say
  // what it means for a message sent now.
  const offline = root.querySelector("[data-offline-notice]");
  const NOTICES = {
    reconnecting: "Reconnecting… Messages you send now go out when the connection is back.",
    "signed-out": "You are signed out. Reload the page to sign in again.",
  };
  onStatus((state) => {
    offline.textContent = NOTICES[state] || "";
    offline.hidden = !NOTICES[state];
  });

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
  if (!highlighted) composer.querySelector("textarea").focus({ preventScroll: true });
}
