// The user's conversations, one copy per tab: the summaries GET
// /api/v1/conversations answers ({id, kind, title, unread, mentions, …}).
//
// It loads after a (re)connect: from `hello` itself when the server sends
// the list with it, else with one request that every feature shares (the
// sidebar, the mention badges, the total unread count, notifications). On
// the first connect it loads only if a feature asked for it: the page was
// just rendered with fresh counts. Between loads, events keep it current.
import { on } from "./socket.js";
import { get, urls } from "./api.js";
import { conversationTitle } from "./conversation-title.js";

const me = Number(document.body.dataset.me);
const conversations = new Map(); // id -> summary
const listeners = new Set();
let loadOnFirstConnect = false;
let connects = 0;
let loading = null;
// Bumped by every live change to a count, so that a load can tell whether
// its answer was already out of date when it came.
let liveChanges = 0;
// A reconnect while a load is on its way: its answer may predate the drop.
let stale = false;

/**
 * Call `listener(summaries, {firstConnect})` each time the list comes from
 * the server; `firstConnect` is true for the load of the page's first
 * connect (the page's own HTML was as fresh).
 *
 * With `fromFirstConnect`, the first connect loads it too (the sidebar's
 * list could have changed between the page's render and its socket).
 */
export function onLoad(listener, { fromFirstConnect = false } = {}) {
  listeners.add(listener);
  if (fromFirstConnect) loadOnFirstConnect = true;
}

/** Return the summary of conversation `id`, if the store has it. */
export function conversation(id) {
  return conversations.get(Number(id));
}

function replace(summaries) {
  conversations.clear();
  for (const summary of summaries) conversations.set(summary.id, { ...summary });
  const context = { firstConnect: connects <= 1 };
  for (const listener of listeners) listener(summaries, context);
}

/** Load the list once (a load under way is shared); resolve when done. */
export function load() {
  loading ??= (async () => {
    try {
      // A count that changed live while the list was on its way may or may
      // not be in it: ask again, a few times at most.
      for (let attempt = 0; ; attempt += 1) {
        const changes = liveChanges;
        stale = false;
        const summaries = await get(urls.conversations());
        if ((liveChanges === changes && !stale) || attempt === 3) {
          replace(summaries);
          return;
        }
      }
    } catch {
      // The counts stay as they were; the next reconnect tries again.
    } finally {
      loading = null;
    }
  })();
  return loading;
}

/** Return the kind ("direct", "group", …) of conversation `id`. */
export async function kindOf(id) {
  // A conversation new since the last load brings a new load.
  if (!conversations.has(Number(id))) await load();
  return conversations.get(Number(id))?.kind;
}

on("hello", (event) => {
  connects += 1;
  if (Array.isArray(event.conversations)) {
    replace(event.conversations);
    return;
  }
  if (loading) stale = true;
  if (connects > 1 ? listeners.size > 0 : loadOnFirstConnect) load();
});

// ---------------------------------------------------------------- events

on("read.updated", (event) => {
  liveChanges += 1;
  const summary = conversations.get(event.conversation);
  if (!summary) return;
  summary.unread = event.unread;
  summary.mentions = event.mentions ?? 0;
});

on("message.new", ({ message: m }) => {
  if (m.sender.id === me || m.thread) return;
  liveChanges += 1;
  const summary = conversations.get(m.conversation);
  if (!summary) return;
  summary.unread += 1;
  if (m.mentions.includes(me)) summary.mentions = (summary.mentions ?? 0) + 1;
});

on("conversation.updated", (event) => {
  const summary = conversations.get(event.conversation.id);
  if (summary) summary.title = conversationTitle(event.conversation, me);
});

on("conversation.left", (event) => conversations.delete(event.conversation));
