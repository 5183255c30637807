// The "@" badge of a conversation in the sidebar with unread mentions of
// me: counted live, set right by the server's counts.
import { on } from "../socket.js";
import { onLoad } from "../store.js";
import { me, onScreen } from "./page.js";

const sidebar = document.querySelector("[data-conversation-list]");

function mentionBadge(id) {
  const item = sidebar?.querySelector(`[data-conversation-id="${id}"]`);
  if (!item) return null;
  let badge = item.querySelector(".mention-badge");
  if (!badge) {
    // An item the sidebar added live.
    badge = document.createElement("span");
    badge.className = "mention-badge";
    badge.dataset.mentions = 0;
    badge.hidden = true;
    badge.innerHTML = '<span aria-hidden="true">@</span><span class="visually-hidden">mentions you</span>';
    item.querySelector(".badge").before(badge);
  }
  return badge;
}

function setMentions(id, count) {
  const badge = mentionBadge(id);
  if (!badge) return;
  // The conversation on screen shows its messages itself.
  if (id === onScreen()) count = 0;
  badge.dataset.mentions = count;
  badge.hidden = count === 0;
}

export function setUpBadges() {
  if (sidebar) {
    const counted = new Set();
    on("message.new", (event) => {
      const m = event.message;
      if (m.sender.id === me || m.thread || m.deleted || !m.mentions.includes(me)) return;
      if (counted.has(m.id)) return;
      counted.add(m.id);
      const badge = mentionBadge(m.conversation);
      if (badge) setMentions(m.conversation, Number(badge.dataset.mentions) + 1);
    });
    // The server's counts are the truth: on every read, and after every
    // connect (the store's list, once the sidebar has drawn it).
    on("read.updated", (event) => setMentions(event.conversation, event.mentions ?? 0));
    onLoad((summaries) => {
      for (const summary of summaries) setMentions(summary.id, summary.mentions ?? 0);
    }, { fromFirstConnect: true });
  }
}
