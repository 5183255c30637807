// The sidebar's spaces, live on every page: a space joined appears (in
// name order), a space left goes, a rename shows, and posts by others
// raise the space's unread mark (not for a muted space, nor the space
// whose feed is on screen: it shows the posts themselves).
import { on } from "../../frontend/js/socket.js";

const me = Number(document.body.dataset.me);
const list = document.querySelector("[data-my-spaces]");
const feed = document.querySelector("[data-feed]");

const linkOf = (id) => list?.querySelector(`[data-space-link="${Number(id)}"]`);

function span(className, text) {
  const node = document.createElement("span");
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function row(space) {
  const link = document.createElement("a");
  link.href = space.url;
  link.dataset.spaceLink = space.id;
  const badge = span("badge nav-badge space-unread");
  badge.dataset.spaceUnread = "0";
  badge.hidden = true;
  badge.append(span("visually-hidden", "new posts: "), span("n", "0"));
  link.append(span("nav-space-name", space.name), badge);
  const item = document.createElement("li");
  item.append(link);
  return item;
}

function joined({ space }) {
  if (!list || linkOf(space.id)) return;
  const name = space.name.toLocaleLowerCase();
  const after = [...list.children].find(
    (li) => li.querySelector(".nav-space-name").textContent.toLocaleLowerCase() > name,
  );
  list.insertBefore(row(space), after ?? null);
  list.hidden = false;
}

function left({ space }) {
  linkOf(space)?.closest("li").remove();
  if (list && !list.children.length) list.hidden = true;
}

function renamed({ space }) {
  const name = linkOf(space.id)?.querySelector(".nav-space-name");
  if (name) name.textContent = space.name;
}

// A post comes twice to a member who also follows its author (once per
// stream): it counts once.
const counted = new Set();

function posted({ post }) {
  if (post.author.id === me || counted.has(post.id)) return;
  counted.add(post.id);
  if (feed?.dataset.feed === "space" && Number(feed.dataset.feedSpace) === post.space.id) return;
  const link = linkOf(post.space.id);
  const badge = link?.querySelector("[data-space-unread]");
  if (!badge || link.hasAttribute("data-muted")) return;
  const n = Number(badge.dataset.spaceUnread) + 1;
  badge.dataset.spaceUnread = n;
  badge.querySelector(".n").textContent = n > 99 ? "99+" : String(n);
  badge.hidden = false;
}

on("space.joined", joined);
on("space.left", left);
on("space.updated", renamed);
on("post.new", posted);
