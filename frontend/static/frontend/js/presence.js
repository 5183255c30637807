// Presence dots: online, away or offline, for the people on screen.
//
// A dot is any element with data-presence-user (the server renders them
// with profiles/templatetags/presence.py; presenceDot() makes them here).
// Each is an image named by its state, with a tooltip, and drawn in a
// different shape per state: never colour alone.
//
// The page asks GET /api/v1/presence about every dot on it in one request:
// every PRESENCE_POLL_SECONDS while in view, at once when it comes back
// into view or reconnects, and soon after a dot for someone new appears.
// The server never pushes presence: one screen polling for its few people
// is far cheaper than telling the whole company about every change.
import { on, onStatus } from "./socket.js";
import { get, urls } from "./api.js";

const STATES = new Set(["online", "away", "offline"]);
const MAX_PER_REQUEST = 200; // the API's limit
const pollMs = (Number(document.body.dataset.presencePollSeconds) || 30) * 1000;
const known = new Map(); // user id -> state
let soonTimer = null;
// While this tab is not connected it knows nothing of anyone: a green dot
// would claim what it cannot tell. Dots say "unknown" until the first
// answer after the connection is back.
let blind = false;
const UNKNOWN = "unknown";
const TITLES = { [UNKNOWN]: "Unknown while you are offline" };

function label(dot, state) {
  dot.dataset.state = state;
  dot.setAttribute("aria-label", state);
  dot.title = TITLES[state] || state[0].toUpperCase() + state.slice(1);
}

function paint() {
  for (const dot of document.querySelectorAll("[data-presence-user]")) {
    const state = blind ? UNKNOWN : known.get(Number(dot.dataset.presenceUser));
    if (state && dot.dataset.state !== state) label(dot, state);
  }
}

function idsOnScreen() {
  const ids = new Set();
  for (const dot of document.querySelectorAll("[data-presence-user]")) {
    const id = Number(dot.dataset.presenceUser);
    if (id) ids.add(id);
  }
  return [...ids];
}

async function poll() {
  // A hidden tab shows nobody anything: it asks again when it is back.
  if (document.visibilityState !== "visible") return;
  const ids = idsOnScreen();
  for (let i = 0; i < ids.length; i += MAX_PER_REQUEST) {
    const chunk = ids.slice(i, i + MAX_PER_REQUEST);
    let answer;
    try {
      answer = await get(urls.presence(chunk));
    } catch {
      return; // offline or refused: the dots keep their last state until the next poll
    }
    for (const [id, state] of Object.entries(answer)) {
      if (STATES.has(state)) known.set(Number(id), state);
    }
  }
  if (blind) {
    if (!connected) return; // an answer from before the drop
    blind = false;
  }
  paint();
}

function pollSoon() {
  clearTimeout(soonTimer);
  soonTimer = setTimeout(poll, 300);
}

/** Return the presence state last heard for `userId` (or undefined). */
export function presenceOf(userId) {
  return known.get(Number(userId));
}

/** Return a new dot for `userId`, in its last known state. */
export function presenceDot(userId) {
  const dot = document.createElement("span");
  dot.className = "presence";
  dot.dataset.presenceUser = userId;
  dot.setAttribute("role", "img");
  const state = blind ? UNKNOWN : known.get(Number(userId));
  label(dot, state || "offline");
  if (!state) pollSoon();
  return dot;
}

/** Return "Ana Lima, Bo Ek" as nodes, a dot beside everyone but `me`. */
export function memberNames(members, me) {
  const fragment = document.createDocumentFragment();
  members.forEach((person, index) => {
    const span = document.createElement("span");
    span.className = "member";
    span.append(person.name);
    if (person.id !== me) span.append(presenceDot(person.id));
    fragment.append(span);
    if (index < members.length - 1) fragment.append(", ");
  });
  return fragment;
}

// What the server rendered is fresh: start from it.
for (const dot of document.querySelectorAll("[data-presence-user]")) {
  if (STATES.has(dot.dataset.state)) known.set(Number(dot.dataset.presenceUser), dot.dataset.state);
}

setInterval(poll, pollMs);
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") poll();
});
let connects = 0;
let connected = false;
on("hello", () => {
  connects += 1;
  if (connects > 1) poll(); // back from a drop: people came and went
});
onStatus((state) => {
  connected = state === "live";
  if (connected || state === "connecting") return;
  blind = true;
  paint();
});
