// The conversation list beside the inbox and the conversation page: its
// order, names and unread counts, kept live by events and set right by the
// store's list after every connect.
import { on, onStatus } from "../socket.js";
import { get, urls } from "../api.js";
import { load, onLoad } from "../store.js";
import { presenceDot } from "../presence.js";
import { badgeCount } from "../badge.js";
import { conversationTitle } from "../conversation-title.js";
import { me, root } from "./page.js";

const sidebar = document.querySelector("[data-conversation-list]");

function sidebarItem(id) {
  return sidebar?.querySelector(`[data-conversation-id="${id}"]`);
}

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

// Conversations on their way into the list.
const arriving = new Set();

async function addConversation(id, { withNews = false } = {}) {
  if (!sidebar || sidebarItem(id) || arriving.has(id)) return;
  arriving.add(id);
  let data;
  try {
    data = await get(urls.conversation(id));
  } catch {
    return; // the next load of the list brings it
  } finally {
    arriving.delete(id);
  }
  if (sidebarItem(id)) return;
  sidebar.querySelector(".empty")?.remove();
  sidebar.prepend(conversationItem(data));
  // It came with a message (one someone opened with me shows with its
  // first): the store's list brings its unread count and mentions to
  // every feature at once.
  if (withNews) load();
}

/** Move conversation `id` to the top; count one more unread if asked. */
export function bumpConversation(id, countsAsUnread) {
  const item = sidebarItem(id);
  if (!item) {
    addConversation(id, { withNews: true });
    return;
  }
  if (item.parentElement.firstElementChild !== item) item.parentElement.prepend(item);
  if (countsAsUnread) {
    const badge = item.querySelector(".badge");
    setUnread(id, Number(badge.dataset.unread) + 1);
  }
}

// The server's list, order and counts replace whatever was missed while
// the socket was down.
function showList(summaries) {
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
}

export function setUpSidebar() {
  if (!sidebar) return;
  // Renamed, or (a group without a name) its people changed. After a
  // reconnect the server's list brings the names missed meanwhile, except
  // where an event since the drop already told a name as new or newer.
  let renamedLive = new Set();
  onStatus((state) => {
    if (state !== "live") renamedLive = new Set();
  });
  onLoad((summaries) => {
    showList(summaries);
    for (const summary of summaries) {
      if (!renamedLive.has(summary.id)) setSidebarTitle(summary.id, summary.title);
    }
  }, { fromFirstConnect: true });
  on("read.updated", (event) => setUnread(event.conversation, event.unread));
  // Not listed: a direct conversation someone opened with me, still empty.
  on("conversation.joined", (event) => {
    if (event.listed !== false) addConversation(event.conversation);
  });
  on("conversation.left", (event) => sidebarItem(event.conversation)?.remove());
  on("conversation.updated", (event) => {
    renamedLive.add(event.conversation.id);
    setSidebarTitle(event.conversation.id, conversationTitle(event.conversation, me));
  });
  // Only the conversation page knows whether a message in it is being
  // read; elsewhere every message from someone else counts.
  if (!root) {
    on("message.new", (event) => {
      const m = event.message;
      bumpConversation(m.conversation, m.sender.id !== me && !m.thread);
    });
  }
}
