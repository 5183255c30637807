// Live: new posts by others wait behind a "N new posts" button, so
// nothing moves under the reader's eyes; post.*, comment.*,
// feed.reactions and space.updated change what is on screen in place;
// after a reconnect the server replays what came since the page's cursor.
import { catchUpCarried, catchUpWith, on, send } from "../../../frontend/js/socket.js";
import { request } from "../../../frontend/js/api.js";
import { renderAttachments } from "../../../frontend/js/attachment-list.js";
import { API, editing, feed, me, newButton, postEls, postsBox, setBody, template } from "./page.js";
import { drawPost, removePost } from "./posts.js";
import { commentNew, commentUpdated } from "./comments.js";
import { reactionsChanged } from "./reactions.js";
import { renderReach } from "./reach.js";
import { cardsAsked, showCards } from "./cards.js";

const waiting = []; // posts by others that arrived, oldest first
// The catch-up log's cursor the page was rendered at (data-cursor): after a
// reconnect the server replays what came since (docs/realtime.md).
let cursor = Number(feed?.dataset.cursor) || 0;
// The newest post and comment the page showed when it was rendered: a
// replayed event about an older one is not news.
const newestPost = Math.max(0, ...[...document.querySelectorAll("[data-post]")].map((n) => Number(n.dataset.post)));

export function belongsHere(p) {
  if (!feed || !postsBox || !template) return false;
  if (feed.dataset.feed === "space") return p.space.id === Number(feed.dataset.feedSpace);
  if (feed.dataset.feed === "trusted") return trusted(p.author);
  return feed.dataset.feed === "home";
}

// The Trusted view's rule as the server gave it to this page
// (feeds.selectors.TrustRule): verified people, me and my management
// chain, my team.
function trusted(author) {
  const people = (feed.dataset.trustedPeople || "").split(",").map(Number);
  const department = feed.dataset.trustedDepartment ? Number(feed.dataset.trustedDepartment) : null;
  return author.verified || people.includes(author.id) || (department !== null && author.department === department);
}

function insertAtTop(nodes) {
  postsBox.querySelector("[data-empty]")?.remove();
  document.querySelector("[data-empty-hint]")?.remove();
  postsBox.prepend(...nodes);
}

function showWaiting() {
  if (!newButton) return;
  newButton.hidden = waiting.length === 0;
  newButton.textContent = waiting.length === 1 ? "1 new post" : `${waiting.length} new posts`;
}

function showNewPosts() {
  const nodes = waiting.splice(0).reverse().map(drawPost);
  insertAtTop(nodes);
  showWaiting();
  // The first new post takes the focus (and the view), for keyboards too.
  nodes[0]?.focus();
}

export function addPost(p, { now = false } = {}) {
  if (postEls(p.id).length || waiting.some((w) => w.id === p.id)) return;
  if (now) {
    insertAtTop([drawPost(p)]);
  } else {
    waiting.push(p);
    showWaiting();
  }
}

// A targeted announcement is in the home feeds of its readers only
// (feeds.selectors.home_feed); the shared event cannot say whose.
async function addressedToMe(p) {
  if (!p.targeted || p.author.id === me || feed.dataset.feed === "space") return true;
  try {
    return (await request("GET", `${API}posts/${Number(p.id)}`)).addressed === true;
  } catch {
    return false; // as on a reload, which asks the server again
  }
}

async function postNew({ post: p }, live) {
  if (!live && p.id <= newestPost) return;
  if (!belongsHere(p)) return;
  if (!(await addressedToMe(p))) return;
  addPost(p, { now: p.author.id === me && live });
}

function postUpdated({ post: p }) {
  const redrawn = [];
  for (const node of postEls(p.id)) {
    if (p.deleted) {
      removePost(node);
      continue;
    }
    const body = node.querySelector("[data-body]");
    // A pin or a mark leaves the text, and so the cards, as they were.
    if (!editing(node) && (cardsAsked.get(node) ?? body.innerHTML) !== p.html) redrawn.push(node);
    if (!editing(node)) setBody(body, p.html, p.deleted, "post");
    renderAttachments(node, p.deleted ? [] : p.attachments, { body: "[data-body]" });
    node.querySelector("[data-edited]").hidden = !p.edited_at;
    node.querySelector("[data-mark-pinned]").hidden = !p.pinned;
    node.querySelector("[data-mark-announcement]").hidden = !p.announcement;
    node.classList.toggle("announcement", p.announcement);
  }
  if (redrawn.length) showCards(p.id, redrawn, p.html);
  const queued = waiting.findIndex((w) => w.id === p.id);
  if (queued >= 0) {
    if (p.deleted) waiting.splice(queued, 1);
    else waiting[queued] = p;
    showWaiting();
  }
}

// The sidebar follows by itself (sidebar.js).
function spaceUpdated({ space }) {
  const head = document.querySelector(`[data-space-head="${Number(space.id)}"] h1`);
  if (head) head.textContent = space.name;
}

// The stored events, live or replayed by a catch-up (idempotent: a replay
// of what the page shows changes nothing).
const stored = {
  "post.new": postNew,
  "post.updated": postUpdated,
  "comment.new": commentNew,
  "comment.updated": commentUpdated,
  "feed.reactions": reactionsChanged,
  "space.updated": spaceUpdated,
};

function apply(event, live) {
  if (typeof event.cursor === "number" && event.cursor > cursor) cursor = event.cursor;
  stored[event.type]?.(event, live);
}

export function setUpLive() {
  newButton?.addEventListener("click", showNewPosts);

  for (const type of Object.keys(stored)) on(type, (event) => apply(event, true));

  // Reach is not stored: only live.
  on("post.reach", (event) => {
    for (const node of postEls(event.post)) renderReach(node, event);
  });

  if (feed?.dataset.cursor) {
    catchUpWith(() => ({ since: cursor, seen: [] }));
    on("hello", () => {
      if (!catchUpCarried()) send({ type: "sync", since: cursor, seen: [] });
    });
    on("sync.batch", (batch) => {
      for (const event of batch.events) apply(event, false);
      if (batch.cursor > cursor) cursor = batch.cursor;
      if (batch.more) send({ type: "sync", since: cursor, seen: [] });
    });
    // The log no longer reaches back to our cursor: the page starts afresh.
    on("resync.required", () => location.reload());
  }
}
