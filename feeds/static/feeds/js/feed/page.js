// The feed pages' shared parts: their elements and the few helpers every
// part of feed.js uses. On a page without a feed `feed` is null.
import { ApiError } from "../../../frontend/js/api.js";
import { stamp } from "../../../frontend/js/dates.js";

export const me = Number(document.body.dataset.me);
export const feed = document.querySelector("[data-feed]");
export const postsBox = feed?.querySelector("[data-posts]");
export const newButton = feed?.querySelector("[data-new-posts]");
export const template = document.getElementById("post-template");
export const API = "/api/v1/";

export const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
export const postEls = (id) => document.querySelectorAll(`[data-post="${Number(id)}"]`);
export const commentEls = (id) => document.querySelectorAll(`[data-comment="${Number(id)}"]`);
// A comment's chips are buttons where the viewer may react (a member).
export const mayReact = (li) => Boolean(li.querySelector("[data-comment-reactions]"));
// A post's too: the home feed also holds posts from open spaces the viewer
// only reads (by people they follow).
export const mayReactToPost = (node) => Boolean(node.querySelector("[data-add-reaction]"));
// Whether I am in a space: the sidebar lists mine, live (sidebar.js).
export const inSpace = (id) => Boolean(document.querySelector(`[data-my-spaces] [data-space-link="${Number(id)}"]`));
// Being edited here: its own body (the first) holds the edit box.
export const editing = (item) => Boolean(item.querySelector("[data-body]")?.querySelector(":scope > .edit-form"));
export const here = (id) => `${location.pathname}${location.search}#p${id}`;

// A <time> by the one rule for dates (frontend/js/dates.js).
export function timeOf(iso) {
  const time = el("time");
  time.dateTime = iso;
  time.dataset.when = "";
  stamp(time);
  return time;
}

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// The REST API may be missing on an older server: fall back to the form.
export const apiMissing = (error) => error instanceof ApiError && (error.status === 404 || error.status === 405);

export function submitNatively(form, fields = {}) {
  for (const [name, value] of Object.entries(fields)) {
    let input = form.querySelector(`input[type=hidden][name="${name}"]`);
    if (!input) {
      input = el("input");
      input.type = "hidden";
      input.name = name;
      form.append(input);
    }
    input.value = value;
  }
  HTMLFormElement.prototype.submit.call(form);
}

export function showError(near, message) {
  let box = near.querySelector(":scope > [data-live-error]");
  if (!box) {
    box = el("p", "live-error");
    box.dataset.liveError = "";
    box.setAttribute("role", "alert");
    near.append(box);
  }
  box.textContent = message;
}

export function setBody(box, html, deleted, what) {
  if (deleted) {
    box.replaceChildren(el("p", "tombstone", `This ${what} was deleted.`));
  } else {
    box.innerHTML = html; // the server's sanitised output
  }
}
