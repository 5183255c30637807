// Reactions to posts and comments: the chips, the "React" box under a
// live comment, feed.reactions events and reacting through the API.
import { request } from "../../../frontend/js/api.js";
import {
  API, apiMissing, commentEls, el, mayReact, mayReactToPost, me, postEls, showError, submitNatively,
} from "./page.js";

function chip(emoji, users) {
  const li = el("li");
  const button = el("button", "chip");
  button.type = "button";
  button.dataset.emoji = emoji;
  const mine = users.includes(me);
  button.setAttribute("aria-pressed", String(mine));
  const who = `${users.length} ${users.length === 1 ? "person" : "people"}`;
  button.setAttribute("aria-label", `${emoji} ${who}${mine ? ", including you" : ""}`);
  button.append(`${emoji} `, el("span", "n", String(users.length)));
  li.append(button);
  return li;
}

export function renderChips(list, reactions, { readOnly = false } = {}) {
  if (!list) return;
  list.replaceChildren(
    ...reactions.map((r) => {
      if (!readOnly) return chip(r.emoji, r.users);
      const li = el("li");
      const span = el("span", "chip");
      span.setAttribute("aria-label", `${r.emoji} ${r.users.length}`);
      span.append(`${r.emoji} `, el("span", "n", String(r.users.length)));
      li.append(span);
      return li;
    }),
  );
}

// The "React" box under a live comment: the post's quick emojis, or any.
export function addReactionBox(post, c) {
  const details = el("details", "add-reaction add-reaction-small");
  details.dataset.addReaction = "";
  const summary = el("summary", "", "React");
  summary.append(el("span", "visually-hidden", ` to ${c.author.name}'s comment`));
  const form = el("form", "react-form");
  form.dataset.reactForm = "";
  form.method = "post";
  form.action = `/comments/${c.id}/react/`;
  const quick = post.querySelector("[data-add-reaction] .quick")?.cloneNode(true) || el("div", "quick");
  const label = el("label", "", "Any emoji");
  const input = el("input");
  input.type = "text";
  input.name = "other";
  input.maxLength = 32;
  input.autocomplete = "off";
  input.id = `${post.id}-c-other-${c.id}`;
  label.htmlFor = input.id;
  const send = el("button", "button button-quiet button-small", "React");
  send.type = "submit";
  const other = el("span", "other-emoji");
  other.append(input, send);
  form.append(quick, label, other);
  details.append(summary, form);
  return details;
}

export function reactionsChanged(event) {
  if (event.comment) {
    for (const li of commentEls(event.comment)) {
      renderChips(li.querySelector("[data-chips]"), event.reactions, { readOnly: !mayReact(li) });
    }
    return;
  }
  for (const node of postEls(event.post)) {
    renderChips(node.querySelector("[data-chips]"), event.reactions, { readOnly: !mayReactToPost(node) });
  }
}

// React to a post, or to one of its comments (`comment`, its <li>).
export async function react(post, emoji, add, form, comment = null) {
  // A DELETE names the emoji in its query too: bodies on DELETE are optional.
  const base = comment
    ? `${API}comments/${comment.dataset.comment}/reactions`
    : `${API}posts/${post.dataset.post}/reactions`;
  const url = add ? base : `${base}?${new URLSearchParams({ emoji })}`;
  const place = comment ? comment.querySelector("[data-comment-reactions]") : post.querySelector(".post-reactions");
  try {
    const answer = await request(add ? "POST" : "DELETE", url, { body: { emoji }, fallback: "Could not react" });
    if (answer?.reactions && comment) {
      reactionsChanged({ comment: comment.dataset.comment, reactions: answer.reactions });
    } else if (answer?.reactions) {
      for (const node of postEls(post.dataset.post)) renderChips(node.querySelector("[data-chips]"), answer.reactions);
    }
    const details = place?.querySelector("[data-add-reaction]");
    if (details?.open) {
      details.open = false;
      details.querySelector("summary").focus();
    }
  } catch (error) {
    if (apiMissing(error) && form?.getAttribute("action")) {
      submitNatively(form, { emoji, other: "", remove: add ? "" : "1" });
      return;
    }
    showError(place || post, error.message);
  }
}
