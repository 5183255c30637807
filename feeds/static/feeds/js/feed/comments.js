// Comments: drawing one from an event, its actions (Reply, Edit and
// Delete, a moderator's Remove), the post's comment count, comment.new and
// comment.updated, and commenting or replying through the API.
import { request } from "../../../frontend/js/api.js";
import {
  API, apiMissing, commentEls, editing, el, feed, mayReact, me, postEls, setBody, showError,
  submitNatively, timeOf,
} from "./page.js";
import { addReactionBox, renderChips } from "./reactions.js";
import { renderReach } from "./reach.js";

const COMMENTS_IN_FEED = 3;

function renderComment(c, post) {
  const li = el("li", `comment${c.parent ? " reply" : ""}`);
  li.id = `c${c.id}`;
  li.dataset.comment = c.id;
  li.dataset.parent = c.parent ?? "";
  const avatar = el("span", "avatar avatar-small", c.author.initials);
  avatar.setAttribute("aria-hidden", "true");
  const main = el("div", "comment-main");
  const head = el("div", "comment-head");
  const time = timeOf(c.created_at);
  const edited = el("span", "edited", "(edited)");
  edited.dataset.edited = "";
  edited.hidden = !c.edited_at;
  head.append(el("strong", "", c.author.name), " ", time, " ", edited);
  const body = el("div", "comment-body");
  body.dataset.body = "";
  setBody(body, c.html, c.deleted, "comment");
  const chips = el("ul", "chips chips-small");
  chips.dataset.chips = "";
  chips.setAttribute("aria-label", "Reactions to this comment");
  const member = Boolean(post.querySelector("[data-comment-form]"));
  renderChips(chips, c.reactions || [], { readOnly: !member || c.deleted });
  main.append(head, body);
  if (member && !c.deleted) {
    const box = el("div", "comment-reactions");
    box.dataset.commentReactions = "";
    box.append(chips, addReactionBox(post, c));
    main.append(box);
  } else {
    main.append(chips);
  }
  const actions = el("div", "comment-actions");
  actions.dataset.commentActions = "";
  if (member && !c.deleted) {
    const target = c.parent || c.id;
    const reply = el("a", "reply-link", "Reply");
    reply.href = `/posts/${c.post}/?reply=${target}#comment-${c.post}`;
    reply.dataset.reply = target;
    reply.dataset.replyName = c.author.name;
    reply.append(el("span", "visually-hidden", ` to ${c.author.name}`));
    actions.append(reply);
  }
  if (!c.deleted) actions.append(...commentActions(post, c));
  main.append(actions);
  if (feed?.dataset.feed === "post") {
    const replies = el("ol", "replies");
    replies.dataset.replies = "";
    main.append(replies);
  }
  li.append(avatar, main);
  return li;
}

// Edit and Delete for one's own live comment, Remove for a moderator's.
function commentActions(post, c) {
  const form = el("form", "inline-form");
  form.method = "post";
  form.action = `/comments/${c.id}/delete/`;
  form.dataset.deleteForm = "";
  form.dataset.what = "comment";
  const submit = el("button", "link-button link-danger");
  submit.type = "submit";
  if (c.author.id === me) {
    const edit = el("button", "link-button", "Edit");
    edit.type = "button";
    edit.dataset.edit = "";
    edit.append(el("span", "visually-hidden", " your comment"));
    submit.append("Delete", el("span", "visually-hidden", " your comment"));
    form.append(submit);
    return [edit, form];
  }
  if (!post.querySelector("[data-moderate]")) return [];
  const menu = el("details", "comment-menu");
  const summary = el("summary", "", "Remove");
  summary.append(el("span", "visually-hidden", ` ${c.author.name}'s comment`));
  form.className = "delete-form";
  form.dataset.moderated = "";
  const label = el("label", "", "Why remove it? (the author is told)");
  const reason = el("input");
  reason.type = "text";
  reason.name = "reason";
  reason.maxLength = 500;
  reason.required = true;
  reason.id = `${post.id}-c-reason-${c.id}`;
  label.htmlFor = reason.id;
  submit.className = "button button-quiet button-small button-danger";
  submit.textContent = "Remove comment";
  form.append(label, reason, submit);
  menu.append(summary, form);
  return [menu];
}

function addComment(c, count) {
  for (const node of postEls(c.post)) {
    const list = node.querySelector("[data-comments]");
    if (!list) continue;
    const shown = [...list.querySelectorAll("[data-comment]")].map((li) => Number(li.dataset.comment));
    // A replayed comment older than those shown belongs behind "View all".
    if (!node.querySelector(`#c${c.id}`) && !(c.id < Math.max(0, ...shown) && !c.parent)) {
      const parent = c.parent && node.querySelector(`#c${c.parent} [data-replies]`);
      (parent || list).append(renderComment(c, node));
      if (feed?.dataset.feed !== "post") {
        while (list.children.length > COMMENTS_IN_FEED) list.firstElementChild.remove();
      }
    }
    // A replayed event's count may be older than the one shown.
    const shownCount = node.querySelector("[data-all-comments] .n");
    if (count !== undefined && !(shownCount && Number(shownCount.textContent) > count)) showCount(node, count);
  }
}

// The post's comment count (from comment.new and comment.updated): its
// "View all N comments" link, shown while some are not on screen, and
// its reach line.
function showCount(node, count) {
  const all = node.querySelector("[data-all-comments]");
  if (all) {
    all.querySelector(".n").textContent = count;
    const shown = node.querySelectorAll("[data-comments] [data-comment]:not(.deleted)").length;
    all.hidden = count <= shown;
  }
  const reach = node.querySelector("[data-reach]");
  if (reach) {
    const { seen, audience, reacted } = reach.dataset;
    renderReach(node, { seen: Number(seen), audience: Number(audience), reacted: Number(reacted), comments: count });
  }
}

export function commentNew({ comment: c, comment_count: count }) {
  addComment(c, count);
}

export function commentUpdated({ comment: c, comment_count: count }) {
  for (const li of commentEls(c.id)) {
    const hadFocus = li.contains(document.activeElement);
    if (!editing(li) || c.deleted) setBody(li.querySelector("[data-body]"), c.html, c.deleted, "comment");
    li.querySelector("[data-edited]").hidden = !c.edited_at;
    if (c.deleted) {
      // Nothing left to react to, reply to, edit or delete.
      li.classList.add("deleted");
      const chips = li.querySelector("[data-chips]");
      li.querySelector("[data-comment-reactions]")?.replaceWith(chips);
      renderChips(chips, [], { readOnly: true });
      li.querySelector("[data-comment-actions]")?.replaceChildren();
      if (hadFocus) {
        li.tabIndex = -1;
        li.focus();
      }
    } else {
      renderChips(li.querySelector("[data-chips]"), c.reactions || [], { readOnly: !mayReact(li) });
    }
  }
  // A delete lowers the count, shown or not (an edit leaves it).
  if (c.deleted && count !== undefined) for (const node of postEls(c.post)) showCount(node, count);
}

export async function comment(form) {
  const post = form.closest("[data-post]");
  const body = form.querySelector("textarea").value;
  if (!body.trim()) return;
  const parent = Number(form.querySelector("[data-parent]").value) || null;
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const answer = await request("POST", `${API}posts/${post.dataset.post}/comments`, {
      body: { body, parent },
      fallback: "Could not comment",
    });
    form.querySelector("textarea").value = "";
    cancelReply(form);
    if (answer?.id) addComment(answer);
  } catch (error) {
    if (apiMissing(error)) {
      submitNatively(form);
      return;
    }
    showError(form, error.message);
  } finally {
    button.disabled = false;
  }
}

export function startReply(link) {
  const post = link.closest("[data-post]");
  const form = post?.querySelector("[data-comment-form]");
  if (!form) return false;
  form.querySelector("[data-parent]").value = link.dataset.reply;
  const note = form.querySelector("[data-replying]");
  note.querySelector("[data-replying-name]").textContent = link.dataset.replyName;
  note.hidden = false;
  form.querySelector("textarea").focus();
  return true;
}

export function cancelReply(form) {
  form.querySelector("[data-parent]").value = "";
  form.querySelector("[data-replying]").hidden = true;
}
