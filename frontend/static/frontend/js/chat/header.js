// The page's frame around the messages: its title and people (they follow
// conversation.updated), what the connection state means for a message
// sent now, and leaving.
import { on, onStatus } from "../socket.js";
import { memberNames } from "../presence.js";
import { conversationTitle } from "../conversation-title.js";
import { setPageTitle } from "../title.js";
import { composer, conversationId, me, root } from "./page.js";

// Left here, the form's own navigation is under way and brings the "You
// left" message; a second navigation would race it and could lose it.
let leavingHere = false;
// " · Canteen", read once: a group's own name may hold " · " too.
const siteName = document.title.slice(document.title.lastIndexOf(" · "));

// The conversation's name where this page shows it (as the template draws
// it): the header, the tab's title, the composer, Leave's question.
function showTitle(title) {
  const heading = root.querySelector("#chat-title");
  if (heading.textContent === title) return;
  heading.textContent = title;
  setPageTitle(title + siteName);
  const body = composer.querySelector("textarea");
  body.placeholder = `Message ${title}`;
  composer.querySelector(`label[for="${body.id}"]`).textContent = `Message ${title}`;
  const leave = root.querySelector("form[data-confirm]");
  if (leave) leave.dataset.confirm = `Leave ${title}? You will need someone to add you back.`;
}

/** Follow a conversation.updated event (live or caught up) if it is this one. */
export function applyConversationUpdated(event) {
  if (event.conversation.id !== conversationId) return;
  const { members } = event.conversation;
  root.querySelector("[data-member-names]").replaceChildren(memberNames(members, me));
  const count = root.querySelector("[data-member-count]");
  if (count) count.textContent = `${members.length} people`;
  showTitle(conversationTitle(event.conversation, me));
}

export function setUpHeader() {
  for (const form of root.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      // eslint-disable-next-line no-alert
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      else leavingHere = true;
    });
  }
  // Left elsewhere (another tab, the API): go to the inbox.
  on("conversation.left", (event) => {
    if (event.conversation === conversationId && !leavingHere) location.assign("/messages/");
  });
  const offline = root.querySelector("[data-offline-notice]");
  const NOTICES = {
    reconnecting: "Reconnecting… Messages you send now go out when the connection is back.",
    offline: "You are offline. Messages you send now go out when the connection is back.",
    "signed-out": "You are signed out. Reload the page to sign in again.",
  };
  onStatus((state) => {
    offline.textContent = NOTICES[state] || "";
    offline.hidden = !NOTICES[state];
  });
}
