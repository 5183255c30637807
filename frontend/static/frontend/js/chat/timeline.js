// The timeline: messages in id order, live and caught up. Server events are
// the truth and every handler is idempotent, so a replayed event (sync)
// changes nothing. After every (re)connect the page asks for what it
// missed since its cursor, then sends again what is unconfirmed; "Load
// older messages" reaches back in history.
import { catchUpCarried, catchUpWith, on, send } from "../socket.js";
import { get, urls } from "../api.js";
import {
  conversationId, findEcho, findMessage, list, me, nearBottom, older, root, scrollToBottom,
  scroller, showComposerError, state,
} from "./page.js";
import { fillMessage, groupRuns, place, renderMessage, setReplyCount } from "./render.js";
import { bumpConversation } from "./sidebar.js";
import { confirmed, resendPending } from "./composer.js";
import { applyThreadReply } from "./threads.js";
import { applyChangedMessage } from "./edits.js";
import { applyReactions } from "./reactions.js";
import { applyConversationUpdated } from "./header.js";
import { stopShowingTyper } from "./typing.js";
import { markReadSoon, readAtLoad } from "./read.js";

// The cursor the page was rendered at: what the HTML already shows.
const renderedAt = Number(root?.dataset.cursor);
let cursor = renderedAt;
// The cursors this tab has applied, the page's included (data-seen): each
// sync names those at or below its cursor, so the server's replay of late
// commits leaves them out. It looks back 200 ids
// (messaging.selectors.SYNC_LOOKBACK), so the newest 200 are all it uses.
const SEEN_MAX = 200;
let seen = new Set((root?.dataset.seen || "").split(" ").filter(Boolean).map(Number));
// Messages of other conversations already counted in the sidebar.
const counted = new Set();

function newestSeen(atMost) {
  return [...seen].filter((c) => c <= atMost).sort((a, b) => b - a).slice(0, SEEN_MAX);
}

function noteSeen(at) {
  seen.add(at);
  if (seen.size > 2 * SEEN_MAX) seen = new Set(newestSeen(Infinity));
}

function syncFrom(since) {
  send({ type: "sync", since, seen: newestSeen(since) });
}

// `live`: the event came as it happened (or is our own send's answer), not
// replayed by a catch-up. `at`: its place in the replay log; at or below
// `renderedAt`, the HTML already showed it.
function applyNewMessage(m, { live, cursor: at }) {
  if (m.conversation !== conversationId) {
    // Replays are already in the counts the store's list brings.
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
    confirmed(m.client_id);
  } else {
    list.querySelector("[data-chat-start]")?.remove();
    el = renderMessage(m);
  }
  place(el, m.id);
  if (!state.catchingUp) groupRuns(list);
  if (stick || echo) scrollToBottom();
  markReadSoon();
}

function apply(event, live) {
  if (typeof event.cursor === "number") {
    noteSeen(event.cursor);
    if (event.cursor > cursor) cursor = event.cursor;
  }
  switch (event.type) {
    case "message.new":
      if (event.message.conversation === conversationId) stopShowingTyper(event.message.sender.id);
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
      applyConversationUpdated(event);
      break;
    default:
      break;
  }
}

async function loadOlder() {
  const first = list.querySelector(":scope > .msg[data-id]");
  if (!first) return;
  older.disabled = true;
  const before = scroller.scrollHeight;
  let data;
  try {
    data = await get(urls.history(conversationId, { before: first.dataset.id, limit: 50 }));
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
}

export function setUpTimeline() {
  for (const type of ["message.new", "message.edited", "message.deleted",
    "reaction.changed", "conversation.updated"]) {
    on(type, (event) => apply(event, true));
  }

  on("message.ack", (event) => {
    applyNewMessage(event.message, { live: true });
    confirmed(event.client_id);
  });

  // Every (re)connect: catch up from the cursor, then resend unconfirmed
  // sends. While catching up the list may change a lot: assistive
  // technology waits (aria-busy) instead of reading each step.
  // The next connects carry the cursor in their URL: the server then sends
  // the catch-up unasked.
  catchUpWith(() => ({ since: cursor, seen: newestSeen(cursor) }));
  on("hello", () => {
    list.setAttribute("aria-busy", "true");
    if (!catchUpCarried()) syncFrom(cursor);
    resendPending();
  });

  on("sync.batch", (batch) => {
    state.catchingUp = true;
    try {
      for (const event of batch.events) apply(event, false);
    } finally {
      state.catchingUp = false;
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

  older?.addEventListener("click", loadOlder);
}
