// How a message looks: built from the page's <template> and the server's
// message shape, folded into runs of one sender, and put in id order.
import { renderAttachments } from "../attachment-list.js";
import { stamp } from "../dates.js";
import { list, me, root, template } from "./page.js";


// Messages one person sends within a few minutes read as one run: only the
// first shows the name and avatar (the name stays for screen readers).
const RUN_GAP_MS = 5 * 60 * 1000;

export function groupRuns(container) {
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
    // The first of a run says when by the rule (dates.js); the rest the
    // time of day only.
    if (time.dateTime) {
      time.dataset.when = continued ? "clock" : "";
      stamp(time);
    }
    previous = { dataset: el.dataset, classList: el.classList, at };
  }
}

export function renderReactions(ul, reactions) {
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

export function fillMessage(el, m) {
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
  time.dataset.when = "";
  stamp(time);
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
    // "Make this a task" (onboarding's, when installed) names its message.
    const task = actions.querySelector("a.make-task");
    if (task) {
      // Read the attribute: a clone of the template resolves no URL yet.
      const url = new URL(task.getAttribute("href"), location.href);
      url.searchParams.set("message", m.id);
      task.href = url.pathname + url.search;
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

export function renderMessage(m) {
  return fillMessage(template.content.firstElementChild.cloneNode(true), m);
}

/** Return the local echo of a send the server has not confirmed yet. */
export function renderEcho(body, clientId, attachments = [], status = "Sending…") {
  const el = template.content.firstElementChild.cloneNode(true);
  el.classList.add("pending", "mine");
  el.dataset.clientId = clientId;
  el.querySelector(".avatar").textContent = root.dataset.initials || "…";
  el.querySelector(".msg-author").textContent = "You";
  el.dataset.sender = me;
  el.querySelector(".msg-time").removeAttribute("title");
  el.querySelector(".msg-time time").textContent = status;
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
export function place(el, id) {
  const shown = list.querySelectorAll(":scope > .msg[data-id]");
  let next = null;
  for (let i = shown.length - 1; i >= 0 && Number(shown[i].dataset.id) > id; i -= 1) {
    if (shown[i] !== el) next = shown[i];
  }
  if (!next) next = list.querySelector(":scope > .msg.pending, :scope > .msg.failed");
  if (el.parentElement === list && (next === el || el.nextElementSibling === next)) return;
  list.insertBefore(el, next);
}

export function setReplyCount(rootEl, n) {
  const link = rootEl.querySelector(".thread-link");
  if (!link) return;
  link.querySelector(".reply-count").textContent = n;
  link.lastChild.textContent = n === 1 ? " reply" : " replies";
  link.hidden = n === 0;
}
