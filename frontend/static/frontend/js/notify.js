// Desktop notifications for direct messages and mentions of me.
//
// Off until the person turns them on with the sidebar's button: the
// browser's permission prompt is asked for only on that click, and the
// choice is kept in localStorage (per person, per browser).
//
// A message notifies when it is someone else's, arrived live (not replayed
// by a catch-up), is in a direct conversation or mentions me, and I am not
// reading it: this tab is hidden or shows another conversation.
//
// One tab per message: every tab decides for itself, then claims the
// message with a Web Lock named after it (navigator.locks, one manager per
// origin); only the tab that takes the lock shows the notification. A tab that shows the conversation claims it at once,
// without notifying; the others wait a moment first, so that a tab where
// the message is being read wins, and a read marker from another device
// can arrive. The notification's tag is the message id too, so a browser
// without Web Locks still shows it once.
import { on } from "./socket.js";
import { kindOf as storedKindOf } from "./store.js";

const me = Number(document.body.dataset.me);
const PREFERENCE = `canteen:notify:${me}`;
const CLAIMED = `canteen:notified:${me}`;
const WAIT_MS = 600;
const HOLD_MS = 60_000; // far longer than any tab takes to decide
const EXCERPT = 140;

const setting = document.querySelector("[data-notify-setting]");
const toggle = setting?.querySelector("[data-notify-toggle]");
const note = setting?.querySelector("[data-notify-note]");
const supported = "Notification" in window && Boolean(me);

function turnedOn() {
  return supported && Notification.permission === "granted"
    && localStorage.getItem(PREFERENCE) === "on";
}

function showSetting() {
  if (!setting || !supported) return;
  setting.hidden = false;
  if (Notification.permission === "denied") {
    toggle.hidden = true;
    note.textContent = "Desktop notifications are blocked for this site in your browser's settings.";
    return;
  }
  const active = turnedOn();
  toggle.textContent = active ? "Turn off desktop notifications" : "Turn on desktop notifications";
  note.textContent = active
    ? "On: direct messages and mentions while you are elsewhere."
    : "For direct messages and mentions while you are elsewhere.";
}

toggle?.addEventListener("click", async () => {
  if (turnedOn()) {
    localStorage.setItem(PREFERENCE, "off");
  } else {
    const permission = Notification.permission === "granted"
      ? "granted" : await Notification.requestPermission();
    if (permission === "granted") localStorage.setItem(PREFERENCE, "on");
  }
  showSetting();
});

// Turned on or off in another tab.
window.addEventListener("storage", (event) => {
  if (event.key === PREFERENCE) showSetting();
});

// ---------------------------------------------------------------- which

async function kindOf(conversationId) {
  const item = document.querySelector(`[data-conversation-id="${conversationId}"][data-kind]`);
  if (item) return item.dataset.kind;
  // Pages without the conversation list ask the store (one shared load).
  return storedKindOf(conversationId);
}

// How far I have read each conversation, on any device.
const readUpTo = new Map();
on("read.updated", (event) => {
  readUpTo.set(event.conversation, Math.max(readUpTo.get(event.conversation) || 0, event.last_read_id));
});

function readingHere(m) {
  const shown = Number(document.querySelector(".chat")?.dataset.conversation);
  return document.visibilityState === "visible" && shown === m.conversation;
}

/**
 * Claim the message for this tab; resolve true if no other tab has.
 *
 * The claim is a Web Lock named after the message, taken only if free and
 * then held for a while, so a tab that decides later finds it taken. The
 * lock manager is one per origin in the browser process, so two tabs can
 * never both win (localStorage cannot promise that: each renderer reads
 * its own copy, and another tab's write reaches it later).
 */
function claim(messageId) {
  if (!navigator.locks) return Promise.resolve(true); // the tag dedupes
  return new Promise((resolve) => {
    navigator.locks.request(`${CLAIMED}:${messageId}`, { ifAvailable: true }, (lock) => {
      resolve(lock !== null);
      // Released when the time is up or this tab closes.
      return lock && new Promise((done) => { setTimeout(done, HOLD_MS); });
    });
  });
}

// ---------------------------------------------------------------- show

/** Return the message as plain text, shortened: never HTML. */
function excerpt(html) {
  // A parsed, never displayed document: nothing in it loads or runs.
  const text = new DOMParser().parseFromString(html, "text/html").body.textContent;
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > EXCERPT ? `${flat.slice(0, EXCERPT - 1)}…` : flat;
}

function show(m) {
  const notification = new Notification(m.sender.name, {
    body: excerpt(m.html),
    tag: `canteen-message-${m.id}`,
    icon: document.querySelector("link[rel=icon]")?.href,
  });
  notification.onclick = () => {
    window.focus();
    notification.close();
    location.assign(`/messages/${m.conversation}/m/${m.id}/`);
  };
}

async function consider(m) {
  if (!turnedOn() || m.sender.id === me || m.deleted) return;
  if (!m.mentions.includes(me) && (await kindOf(m.conversation)) !== "direct") return;
  if (readingHere(m)) {
    claim(m.id); // seen here: no other tab notifies
    return;
  }
  await new Promise((resolve) => { setTimeout(resolve, WAIT_MS); });
  if (readingHere(m) || (readUpTo.get(m.conversation) || 0) >= m.id) return;
  if (await claim(m.id)) show(m);
}

on("message.new", (event) => { consider(event.message); });

showSetting();
