// Reach: a post's "Seen by N of M" line (a button that lists who saw it
// for the leaders), and reporting the posts that stay on screen for a
// second as seen, in batches (posts.seen).
import { send } from "../../../frontend/js/socket.js";
import { request } from "../../../frontend/js/api.js";
import { API, el, me, plural, postEls, showError, timeOf } from "./page.js";

const SEEN_AFTER_MS = 1000;
const SEEN_EVERY_MS = 3000;

export function renderReach(post, reach) {
  let line = post.querySelector("[data-reach]");
  if (!line) {
    line = el("p", "reach");
    line.dataset.reach = "";
    post.querySelector(".post-reactions").after(line);
  }
  line.dataset.seen = reach.seen;
  line.dataset.audience = reach.audience;
  line.dataset.reacted = reach.reacted;
  line.dataset.commentCount = reach.comments;
  const words = `Seen by ${reach.seen} of ${reach.audience} · ${plural(reach.reacted, "reaction", "reactions")} · ${plural(reach.comments, "comment", "comments")}`;
  if (!line.dataset.names) {
    line.replaceChildren(el("span", "visually-hidden", "Reach: "), words);
    return;
  }
  // A leader's line is a button that shows who saw the post.
  let button = line.querySelector("[data-reach-names]");
  if (!button) {
    button = el("button", "link-button reach-button");
    button.type = "button";
    button.dataset.reachNames = "";
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", line.dataset.names);
  }
  button.replaceChildren(el("span", "visually-hidden", "Reach: "), words, el("span", "visually-hidden", ". Show who saw it"));
  line.replaceChildren(button);
}

export async function toggleSeenBy(button) {
  const post = button.closest("[data-post]");
  const box = document.getElementById(button.getAttribute("aria-controls"));
  if (!box) return;
  if (button.getAttribute("aria-expanded") === "true") {
    button.setAttribute("aria-expanded", "false");
    box.hidden = true;
    return;
  }
  let reach;
  try {
    reach = await request("GET", `${API}posts/${post.dataset.post}/reach`, { fallback: "Could not load who saw it" });
  } catch (error) {
    showError(post.querySelector("[data-reach]"), error.message);
    return;
  }
  const people = reach.seen_by || [];
  const heading = el("h3", "seen-by-title", people.length ? "Seen by" : "Nobody has seen it yet.");
  const list = el("ul", "seen-by-list");
  for (const person of people) {
    const item = el("li");
    const link = el("a", "", person.name);
    link.href = `/people/${Number(person.id)}/`;
    item.append(link, " ", timeOf(person.seen_at));
    list.append(item);
  }
  box.replaceChildren(heading, list);
  if (reach.seen > people.length) box.append(el("p", "", `and ${reach.seen - people.length} more`));
  box.hidden = false;
  button.setAttribute("aria-expanded", "true");
}

const pending = new Set();
const reported = new Set();
const timers = new Map();

const observer =
  "IntersectionObserver" in window
    ? new IntersectionObserver(
        (entries) => {
          for (const entry of entries) {
            const id = Number(entry.target.dataset.post);
            if (entry.isIntersecting) {
              if (!timers.has(id)) timers.set(id, setTimeout(() => pending.add(id), SEEN_AFTER_MS));
            } else {
              clearTimeout(timers.get(id));
              timers.delete(id);
            }
          }
        },
        { threshold: 0.5 },
      )
    : null;

export function watchSeen(node) {
  const id = Number(node.dataset.post);
  if (!observer || Number(node.dataset.author) === me || reported.has(id)) return;
  observer.observe(node);
}

function flushSeen() {
  const ids = [...pending].filter((id) => !reported.has(id)).slice(0, 100);
  pending.clear();
  if (!ids.length || document.visibilityState !== "visible") {
    for (const id of ids) pending.add(id);
    return;
  }
  for (const id of ids) {
    reported.add(id);
    for (const node of postEls(id)) observer?.unobserve(node);
  }
  if (!send({ type: "posts.seen", posts: ids })) {
    request("POST", `${API}posts/seen`, { body: { posts: ids } }).catch(() => {
      for (const id of ids) reported.delete(id);
    });
  }
}

export function setUpReach() {
  // A leader's reach line becomes a button with this module.
  for (const line of document.querySelectorAll("[data-reach][data-names]")) {
    const { seen, audience, reacted, commentCount } = line.dataset;
    renderReach(line.closest("[data-post]"), {
      seen: Number(seen),
      audience: Number(audience),
      reacted: Number(reacted),
      comments: Number(commentCount),
    });
  }

  for (const node of document.querySelectorAll("[data-post]")) watchSeen(node);
  setInterval(flushSeen, SEEN_EVERY_MS);
}
