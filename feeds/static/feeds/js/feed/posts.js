// A post's card: drawn from an event (the page's <template>, filled in),
// and taken away when the post is deleted.
import { stamp } from "../../../frontend/js/dates.js";
import { renderAttachments } from "../../../frontend/js/attachment-list.js";
import { fillMustRead } from "../must-read.js";
import { el, feed, here, inSpace, me, setBody, template } from "./page.js";
import { renderChips } from "./reactions.js";
import { renderReach, watchSeen } from "./reach.js";
import { showCards } from "./cards.js";

function renderPost(p) {
  const node = template.content.firstElementChild.cloneNode(true);
  const id = p.id;
  node.id = `p${id}`;
  node.dataset.post = id;
  node.dataset.space = p.space.id;
  node.dataset.author = p.author.id;
  node.tabIndex = -1;
  node.classList.toggle("announcement", p.announcement);
  const name = node.querySelector("[data-author-name]");
  name.id = `p${id}-by`;
  name.textContent = p.author.name;
  node.setAttribute("aria-labelledby", name.id);
  node.querySelector("[data-initials]").textContent = p.author.initials;
  node.querySelector("[data-verified]").hidden = !p.author.verified;
  const space = node.querySelector("[data-space-link]");
  space.href = `/spaces/${p.space.slug}/`;
  space.textContent = p.space.name;
  node.querySelector("[data-permalink]").href = p.url;
  const time = node.querySelector("time");
  time.dateTime = p.created_at;
  stamp(time);
  node.querySelector("[data-edited]").hidden = !p.edited_at;
  node.querySelector("[data-mark-announcement]").hidden = !p.announcement;
  node.querySelector("[data-mark-pinned]").hidden = !p.pinned;
  setBody(node.querySelector("[data-body]"), p.html, p.deleted, "post");
  renderAttachments(node, p.deleted ? [] : p.attachments, { body: "[data-body]" });
  const member = inSpace(p.space.id);
  if (!member) {
    for (const part of node.querySelectorAll("[data-add-reaction], [data-comment-form], [data-mute-form]")) part.remove();
  }
  renderChips(node.querySelector("[data-chips]"), p.reactions || [], { readOnly: !member });
  for (const form of node.querySelectorAll("form[data-action]")) {
    form.action = `/posts/${id}/${form.dataset.action}/`;
    form.querySelector("[name=next]").value = here(id);
  }
  for (const label of node.querySelectorAll("label[data-for]")) {
    const field = node.querySelector(`[data-id="${label.dataset.for}"]`);
    field.id = `${label.dataset.for}-${id}`;
    label.htmlFor = field.id;
  }
  const commentForm = node.querySelector("[data-comment-form]");
  if (commentForm) {
    commentForm.id = `comment-${id}`;
    commentForm.querySelector("[data-cancel-reply]").href = p.url;
  }
  node.querySelector("[data-all-comments]").href = `${p.url}#comments`;
  node.querySelector(".comments").setAttribute("aria-label", `Comments on ${p.author.name}'s post`);
  if (p.reach) renderReach(node, p.reach);
  fillMustRead(node, p);
  const own = node.querySelector("[data-own-menu]");
  if (p.author.id === me) own.querySelector("[data-edit]").hidden = false;
  else own.remove();
  watchSeen(node);
  return node;
}

// A post drawn from an event, with its cards to come.
export function drawPost(p) {
  const node = renderPost(p);
  if (!p.deleted) showCards(p.id, [node], p.html);
  return node;
}

// A post gone: a feed drops it (the focus goes to the next post), its own
// page shows that it was deleted.
export function removePost(node) {
  const hadFocus = node.contains(document.activeElement);
  if (feed?.dataset.feed === "post") {
    const gone = el("p", "tombstone card", "This post was deleted.");
    gone.tabIndex = -1;
    node.replaceWith(gone);
    if (hadFocus) gone.focus();
    return;
  }
  const next = node.nextElementSibling?.matches("[data-post]") ? node.nextElementSibling : null;
  const previous = node.previousElementSibling?.matches("[data-post]") ? node.previousElementSibling : null;
  node.remove();
  const target = next || previous;
  if (hadFocus && target) {
    target.tabIndex = -1;
    target.focus();
  }
}
