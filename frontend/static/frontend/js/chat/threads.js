// Threads: the side panel with a message and its replies, and the reply
// count under the message in the conversation.
import { get, urls } from "../api.js";
import {
  findEcho, findMessage, focusAction, list, me, panel, showComposerError, threadComposer,
  threadList,
} from "./page.js";
import { groupRuns, fillMessage, renderMessage, setReplyCount } from "./render.js";
import { confirmed } from "./composer.js";
import { pickerOpen } from "./reactions.js";

export async function openThread(rootId) {
  panel.dataset.root = rootId;
  panel.hidden = false;
  document.body.classList.add("thread-open");
  threadList.replaceChildren();
  threadList.setAttribute("aria-busy", "true");
  panel.querySelector("textarea").focus();
  let data;
  try {
    data = await get(urls.thread(rootId));
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

/**
 * Show reply `m` in the open panel and count it under its message.
 * `reflected`: the page's HTML was rendered with it already counted.
 */
export function applyThreadReply(m, reflected) {
  const inPanel = !panel.hidden && Number(panel.dataset.root) === m.thread;
  if (inPanel && !findMessage(m.id, threadList)) {
    const echo = m.sender.id === me ? findEcho(m.client_id, threadList) : null;
    if (echo) fillMessage(echo, m);
    else threadList.append(renderMessage(m));
    confirmed(m.client_id);
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

export function setUpThreads() {
  panel.querySelector("[data-thread-close]").addEventListener("click", closeThread);
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !pickerOpen()) closeThread();
  });
}
