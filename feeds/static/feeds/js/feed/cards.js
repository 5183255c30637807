// Link cards: the pages of Canteen a post links to, drawn under it.
import { request } from "../../../frontend/js/api.js";
import { API, el } from "./page.js";

// A link to one of Canteen's own pages (feeds.selectors._OWN_LINK): only a
// post whose html has one asks for its cards.
const OWN_PAGE = /^\/(?:spaces\/[^/]+|posts\/\d+|people\/\d+)\/?$/;
export const cardsAsked = new WeakMap(); // post node -> the html its cards are for

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
export async function showCards(id, nodes, html) {
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
