// Read state: how far I have read this conversation, and the read marker
// sent when new messages are in view.
import { on, send } from "../socket.js";
import { conversationId, list, nearBottom, root, scroller } from "./page.js";

let lastRead = Number(root?.dataset.lastRead);
// Where the "New messages" line was drawn.
export const readAtLoad = lastRead;
let readTimer = null;

function latestMessageId() {
  const all = list.querySelectorAll(":scope > .msg[data-id]");
  return all.length ? Number(all[all.length - 1].dataset.id) : 0;
}

/** Send a read marker soon: live messages arrive in bursts, one marker each. */
export function markReadSoon(delay = 400) {
  clearTimeout(readTimer);
  readTimer = setTimeout(() => {
    const latest = latestMessageId();
    if (latest > lastRead && document.visibilityState === "visible" && nearBottom()) {
      send({ type: "read", conversation: conversationId, message: latest });
    }
  }, delay);
}

export function setUpRead() {
  on("read.updated", (event) => {
    if (event.conversation === conversationId) {
      lastRead = Math.max(lastRead, event.last_read_id);
    }
  });
  scroller.addEventListener("scroll", () => { if (nearBottom()) markReadSoon(); });
  document.addEventListener("visibilitychange", () => markReadSoon());
  window.addEventListener("focus", () => markReadSoon());
}
