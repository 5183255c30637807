// The tab's title: the page's own name, with the unread count in front
// ("(3) Messages · Canteen") while there is one, so a tab in the
// background says there is news.
import { badgeCount } from "./badge.js";

let base = document.title;
let count = 0;

function write() {
  document.title = count > 0 ? `(${badgeCount(count)}) ${base}` : base;
}

/** The page's name changed (a conversation renamed). */
export function setPageTitle(title) {
  base = title;
  write();
}

/** The unread count changed. */
export function setTitleCount(n) {
  count = n;
  write();
}
