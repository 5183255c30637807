// Feeds, live: the home feed, a space's page and a post's page.
//
// The pages work without this module (every write is a plain form). With
// it, writes go to the REST API without a reload, and socket events update
// what is on screen in place. New posts by others wait behind a "N new
// posts" button, so nothing moves under the reader's eyes. Posts that stay
// on screen for a second are reported as seen (their reach), in batches.
//
// Everything from an event goes in as text (textContent), except `html`:
// the server's sanitised rendering of a post or comment.
import { catchUpCarried, catchUpWith, on, send } from "../../frontend/js/socket.js";
import { ApiError, request } from "../../frontend/js/api.js";
import { stamp } from "../../frontend/js/dates.js";
import { renderAttachments, setUpAttachments } from "../../frontend/js/attachments.js";
import { fillMustRead } from "./must-read.js";

const me = Number(document.body.dataset.me);
const feed = document.querySelector("[data-feed]");
const postsBox = feed?.querySelector("[data-posts]");
const newButton = feed?.querySelector("[data-new-posts]");
const template = document.getElementById("post-template");
const composerForm = document.querySelector("[data-composer]");
// Files for the post, uploaded before it is sent (as in chat).
const composerFiles = composerForm?.querySelector("[data-attach]")
  ? setUpAttachments(composerForm, {
      uploadUrl: `/api/v1/spaces/${Number(composerForm.dataset.space)}/attachments`,
      what: "post",
      onError(message) {
        const box = composerForm.querySelector("[data-composer-error]");
        box.textContent = message;
        box.hidden = false;
      },
    })
  : null;
const API = "/api/v1/";
const COMMENTS_IN_FEED = 3;
const SEEN_AFTER_MS = 1000;
const SEEN_EVERY_MS = 3000;

const waiting = []; // posts by others that arrived, oldest first
// The catch-up log's cursor the page was rendered at (data-cursor): after a
// reconnect the server replays what came since (docs/realtime.md).
let cursor = Number(feed?.dataset.cursor) || 0;
// The newest post and comment the page showed when it was rendered: a
// replayed event about an older one is not news.
const newestPost = Math.max(0, ...[...document.querySelectorAll("[data-post]")].map((n) => Number(n.dataset.post)));

// ------------------------------------------------------------------ helpers

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
const postEls = (id) => document.querySelectorAll(`[data-post="${Number(id)}"]`);
const commentEls = (id) => document.querySelectorAll(`[data-comment="${Number(id)}"]`);
// A comment's chips are buttons where the viewer may react (a member).
const mayReact = (li) => Boolean(li.querySelector("[data-comment-reactions]"));
// A post's too: the home feed also holds posts from open spaces the viewer
// only reads (by people they follow).
const mayReactToPost = (node) => Boolean(node.querySelector("[data-add-reaction]"));
// Whether I am in a space: the sidebar lists mine, live (sidebar.js).
const inSpace = (id) => Boolean(document.querySelector(`[data-my-spaces] [data-space-link="${Number(id)}"]`));
// Being edited here: its own body (the first) holds the edit box.
const editing = (item) => Boolean(item.querySelector("[data-body]")?.querySelector(":scope > .edit-form"));
const here = (id) => `${location.pathname}${location.search}#p${id}`;

// A <time> by the one rule for dates (frontend/js/dates.js).
function timeOf(iso) {
  const time = el("time");
  time.dateTime = iso;
  time.dataset.when = "";
  stamp(time);
  return time;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// The REST API may be missing on an older server: fall back to the form.
const apiMissing = (error) => error instanceof ApiError && (error.status === 404 || error.status === 405);

function submitNatively(form, fields = {}) {
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

function showError(near, message) {
  let box = near.querySelector(":scope > [data-live-error]");
  if (!box) {
    box = el("p", "live-error");
    box.dataset.liveError = "";
    box.setAttribute("role", "alert");
    near.append(box);
  }
  box.textContent = message;
}

// ---------------------------------------------------------------- rendering

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

function renderChips(list, reactions, { readOnly = false } = {}) {
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

function renderReach(post, reach) {
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

async function toggleSeenBy(button) {
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

function setBody(box, html, deleted, what) {
  if (deleted) {
    box.replaceChildren(el("p", "tombstone", `This ${what} was deleted.`));
  } else {
    box.innerHTML = html; // the server's sanitised output
  }
}

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

// The "React" box under a live comment: the post's quick emojis, or any.
function addReactionBox(post, c) {
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

// ------------------------------------------------------------- link cards

// A link to one of Canteen's own pages (feeds.selectors._OWN_LINK): only a
// post whose html has one asks for its cards.
const OWN_PAGE = /^\/(?:spaces\/[^/]+|posts\/\d+|people\/\d+)\/?$/;
const cardsAsked = new WeakMap(); // post node -> the html its cards are for

function ownLinks(box, id) {
  return [...box.querySelectorAll("a[href]")].some((a) => {
    let url;
    try {
      url = new URL(a.getAttribute("href"), location.href);
    } catch {
      return false;
    }
    const path = url.pathname.replace(/\/?$/, "/");
    return url.host === location.host && OWN_PAGE.test(url.pathname) && path !== `/posts/${Number(id)}/`;
  });
}

// The cards as the server draws them (feeds/jinja2/feeds/cards.html), under the post's files.
function drawCards(node, cards) {
  node.querySelector(":scope > .link-cards")?.remove();
  if (!cards.length) return;
  const list = el("ul", "link-cards");
  list.setAttribute("aria-label", "Linked pages");
  for (const card of cards) {
    const link = el("a", "link-card");
    link.href = card.url;
    link.append(el("strong", "link-card-title", card.title), el("span", "link-card-context", card.context));
    const item = el("li");
    item.append(link);
    list.append(item);
  }
  node.querySelector(":scope > .post-reactions").before(list);
}

// Cards are per viewer (a secret space's title must not leak through the
// event every member gets), so the page asks for its own: one request per
// post drawn or redrawn, and only when its html links to Canteen's pages.
async function showCards(id, nodes, html) {
  const box = nodes[0]?.querySelector("[data-body]");
  if (!box) return;
  for (const node of nodes) cardsAsked.set(node, html);
  if (!ownLinks(box, id)) {
    for (const node of nodes) drawCards(node, []);
    return;
  }
  let answer;
  try {
    answer = await request("GET", `${API}posts/${Number(id)}/previews`, { fallback: "No cards" });
  } catch {
    return; // cards are an extra: the post stands without them
  }
  // A newer version of the post asked for its own meanwhile.
  for (const node of nodes) if (cardsAsked.get(node) === html && node.isConnected) drawCards(node, answer?.cards || []);
}

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
function drawPost(p) {
  const node = renderPost(p);
  if (!p.deleted) showCards(p.id, [node], p.html);
  return node;
}

// ---------------------------------------------------------------- new posts

function belongsHere(p) {
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

function addPost(p, { now = false } = {}) {
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

newButton?.addEventListener("click", showNewPosts);

// ------------------------------------------------------------ live updates

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

function commentNew({ comment: c, comment_count: count }) {
  addComment(c, count);
}

// A post gone: a feed drops it (the focus goes to the next post), its own
// page shows that it was deleted.
function removePost(node) {
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

function commentUpdated({ comment: c, comment_count: count }) {
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

function reactionsChanged(event) {
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

// ------------------------------------------------------------------ writes

// React to a post, or to one of its comments (`comment`, its <li>).
async function react(post, emoji, add, form, comment = null) {
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

async function comment(form) {
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

async function createPost(form) {
  const textarea = form.querySelector("textarea");
  if (!textarea.value.trim()) return;
  const clientId = form.querySelector("[data-client-id]");
  const errorBox = form.querySelector("[data-composer-error]");
  const button = form.querySelector("button[type=submit]");
  const waitForFiles = composerFiles?.check();
  if (waitForFiles) {
    errorBox.textContent = waitForFiles;
    errorBox.hidden = false;
    return;
  }
  button.disabled = true;
  try {
    const answer = await request("POST", `${API}spaces/${form.dataset.space}/posts`, {
      body: {
        body: textarea.value,
        client_id: clientId.value,
        announcement: Boolean(form.querySelector("[name=announcement]")?.checked),
        attachments: (composerFiles?.peek() || []).map((a) => a.id),
      },
      fallback: "Could not post",
    });
    textarea.value = "";
    composerFiles?.take();
    clientId.value = crypto.randomUUID();
    errorBox.hidden = true;
    if (answer?.id && belongsHere(answer)) addPost(answer, { now: true });
  } catch (error) {
    if (apiMissing(error)) {
      submitNatively(form);
      return;
    }
    errorBox.textContent = error.message;
    errorBox.hidden = false;
  } finally {
    button.disabled = false;
  }
}

function startReply(link) {
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

function cancelReply(form) {
  form.querySelector("[data-parent]").value = "";
  form.querySelector("[data-replying]").hidden = true;
}

document.addEventListener("click", (event) => {
  const chipButton = event.target.closest("[data-chips] button.chip[data-emoji]");
  if (chipButton) {
    event.preventDefault();
    const post = chipButton.closest("[data-post]");
    const comment = chipButton.closest("[data-comment]");
    const add = chipButton.getAttribute("aria-pressed") !== "true";
    const form = (comment || post).querySelector("[data-react-form]");
    react(post, chipButton.dataset.emoji, add, form, comment);
    return;
  }
  const names = event.target.closest("button[data-reach-names]");
  if (names) {
    toggleSeenBy(names);
    return;
  }
  const edit = event.target.closest("button[data-edit]");
  if (edit) {
    startEdit(edit);
    return;
  }
  const reply = event.target.closest("a[data-reply]");
  if (reply && startReply(reply)) {
    event.preventDefault();
    return;
  }
  const cancel = event.target.closest("a[data-cancel-reply]");
  if (cancel) {
    event.preventDefault();
    cancelReply(cancel.closest("form"));
  }
});

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.matches("[data-react-form]")) {
    event.preventDefault();
    const typed = form.querySelector("[name=other]");
    const emoji = event.submitter?.name === "emoji" ? event.submitter.value : typed.value.trim();
    if (!emoji) {
      typed.focus();
      return;
    }
    typed.value = "";
    react(form.closest("[data-post]"), emoji, true, form, form.closest("[data-comment]"));
  } else if (form.matches("[data-delete-form]")) {
    event.preventDefault();
    confirmDelete(form);
  } else if (form.matches("[data-comment-form]")) {
    event.preventDefault();
    comment(form);
  } else if (form.matches("[data-composer]")) {
    event.preventDefault();
    createPost(form);
  }
});

// Enter sends a comment; Shift+Enter starts a new line.
document.addEventListener("keydown", (event) => {
  const box = event.target.closest?.("[data-comment-form] textarea");
  if (box && event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    box.form.requestSubmit();
  }
});

// ----------------------------------------------------- edits and deletes
//
// The author edits in place: the source text in a box where the text was,
// Save or Cancel (Escape). Deleting asks first, in a dialog. Other tabs
// hear it as post.updated / comment.updated (above).

function editForm(id, text, what) {
  const form = el("form", "edit-form");
  const label = el("label", "visually-hidden", `Edit your ${what}`);
  const textarea = el("textarea");
  textarea.id = `edit-${what}-${id}`;
  label.htmlFor = textarea.id;
  textarea.value = text;
  textarea.maxLength = what === "post" ? 20000 : 5000;
  textarea.rows = what === "post" ? 4 : 2;
  textarea.required = true;
  const hint = el(
    "small",
    "edit-hint",
    what === "post" ? "Markdown works. Ctrl+Enter to save, Escape to cancel." : "Enter to save, Escape to cancel.",
  );
  hint.id = `${textarea.id}-hint`;
  textarea.setAttribute("aria-describedby", hint.id);
  const save = el("button", "button button-small", "Save");
  save.type = "submit";
  const cancel = el("button", "button button-quiet button-small", "Cancel");
  cancel.type = "button";
  cancel.dataset.cancelEdit = "";
  const buttons = el("div", "edit-buttons");
  buttons.append(save, cancel);
  form.append(label, textarea, hint, buttons);
  return form;
}

async function startEdit(button) {
  const comment = button.closest("[data-comment]");
  const item = comment || button.closest("[data-post]");
  const what = comment ? "comment" : "post";
  const id = comment ? comment.dataset.comment : item.dataset.post;
  const body = item.querySelector("[data-body]");
  if (editing(item)) {
    body.querySelector("textarea").focus();
    return;
  }
  const url = `${API}${what}s/${id}`;
  let source;
  try {
    source = await request("GET", url, { fallback: `Could not load the ${what}` });
  } catch (error) {
    showError(button.parentElement, error.message);
    return;
  }
  button.closest("details")?.removeAttribute("open");
  const saved = [...body.childNodes];
  const form = editForm(id, source.body, what);
  const textarea = form.querySelector("textarea");
  body.replaceChildren(form);
  textarea.focus();
  textarea.setSelectionRange(textarea.value.length, textarea.value.length);
  const done = (answer) => {
    if (answer) setBody(body, answer.html, answer.deleted, what);
    else body.replaceChildren(...saved);
    if (answer) item.querySelector("[data-edited]").hidden = !answer.edited_at;
    if (button.isConnected) {
      button.closest("details")?.setAttribute("open", "");
      button.focus();
    } else {
      item.tabIndex = -1;
      item.focus();
    }
  };
  form.querySelector("[data-cancel-edit]").addEventListener("click", () => done(null));
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      done(null);
    } else if (event.key === "Enter" && !event.isComposing) {
      const saves = what === "post" ? event.ctrlKey || event.metaKey : !event.shiftKey;
      if (saves) {
        event.preventDefault();
        form.requestSubmit();
      }
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    event.stopPropagation();
    if (!textarea.value.trim()) {
      showError(form, `The ${what} cannot be empty: delete it instead.`);
      return;
    }
    const save = form.querySelector("button[type=submit]");
    save.disabled = true;
    try {
      const answer = await request("PATCH", url, { body: { body: textarea.value }, fallback: "Could not save" });
      done(answer);
    } catch (error) {
      showError(form, error.message);
      save.disabled = false;
    }
  });
}

let dialog = null;

// One dialog for every "Delete this …?" question; resolves true to go on.
function ask(title, text, action) {
  if (!dialog) {
    dialog = el("dialog", "confirm-dialog");
    const heading = el("h2");
    heading.id = "confirm-title";
    const words = el("p");
    words.id = "confirm-text";
    dialog.setAttribute("aria-labelledby", heading.id);
    dialog.setAttribute("aria-describedby", words.id);
    const form = el("form", "confirm-buttons");
    form.method = "dialog";
    const cancel = el("button", "button button-quiet", "Cancel");
    cancel.value = "cancel";
    cancel.autofocus = true; // the safe choice takes the focus
    const go = el("button", "button button-danger-solid");
    go.value = "go";
    go.dataset.go = "";
    form.append(cancel, go);
    dialog.append(heading, words, form);
    document.body.append(dialog);
  }
  dialog.querySelector("h2").textContent = title;
  dialog.querySelector("p").textContent = text;
  dialog.querySelector("[data-go]").textContent = action;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "go"), { once: true });
  });
}

async function confirmDelete(form) {
  const what = form.dataset.what;
  const moderated = form.hasAttribute("data-moderated");
  const reason = form.querySelector("[name=reason]")?.value.trim() || "";
  if (moderated && !reason) {
    form.querySelector("[name=reason]").focus();
    return;
  }
  const verb = moderated ? "Remove" : "Delete";
  const ok = await ask(
    `${verb} this ${what}?`,
    moderated
      ? `Its author is told why: “${reason}”. This cannot be undone.`
      : `Everyone will see that it was deleted. This cannot be undone.`,
    `${verb} ${what}`,
  );
  const item = form.closest(what === "comment" ? "[data-comment]" : "[data-post]");
  if (!ok) {
    form.querySelector("button[type=submit]").focus();
    return;
  }
  const id = what === "comment" ? item.dataset.comment : item.dataset.post;
  const url = `${API}${what}s/${id}${reason ? `?${new URLSearchParams({ reason })}` : ""}`;
  try {
    await request("DELETE", url, { fallback: `Could not delete the ${what}` });
  } catch (error) {
    if (apiMissing(error) && form.getAttribute("action")) {
      submitNatively(form);
      return;
    }
    showError(form.parentElement, error.message);
    return;
  }
  // Say so here at once; the event tells the other tabs.
  item.tabIndex = -1;
  item.focus();
  if (what === "comment") {
    commentUpdated({ comment: { id, deleted: true, html: "", edited_at: null, reactions: [] } });
  } else {
    for (const node of postEls(id)) removePost(node);
  }
}

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

// Edit buttons do nothing without this module: they show with it.
for (const button of document.querySelectorAll("button[data-edit][hidden]")) button.hidden = false;

// -------------------------------------------------------------------- reach

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

function watchSeen(node) {
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

for (const node of document.querySelectorAll("[data-post]")) watchSeen(node);
setInterval(flushSeen, SEEN_EVERY_MS);
