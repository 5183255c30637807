// Mentions: the @ autocomplete of every composer, the "@" badge of a
// conversation with unread mentions of me, and the highlight on messages
// that mention me.
//
// The autocomplete serves every textarea marked data-mentions (the
// composer, the thread reply box, the edit box), through listeners on the
// document: chat.js only marks the boxes. Its keys are taken in the capture
// phase, before chat.js hears them, and only while the list is open, so
// Enter still sends when it is closed.
//
// The box stays a textbox (a textarea may not take role=combobox, and
// aria-expanded is not valid on a textbox): it gets aria-autocomplete,
// aria-controls and aria-activedescendant, and a status line says how many
// people match and which keys work.
import { on } from "./socket.js";
import { onLoad } from "./store.js";
import { presenceDot, presenceOf } from "./presence.js";
import { fold } from "./fold.js";

const me = Number(document.body.dataset.me);
const root = document.querySelector(".chat");
const sidebar = document.querySelector("[data-conversation-list]");
const MAX_OPTIONS = 8;

function onScreen() {
  return Number(root?.dataset.conversation) || 0;
}

// ---------------------------------------------------------------- people

const people = new Map(); // id -> {id, name, initials, title}
const source = document.getElementById("mention-people");
if (source) {
  for (const person of JSON.parse(source.textContent)) people.set(person.id, person);
}

on("conversation.updated", (event) => {
  if (event.conversation.id !== onScreen()) return;
  const before = new Map(people);
  people.clear();
  for (const person of event.conversation.members) {
    people.set(person.id, { title: before.get(person.id)?.title || "", ...person });
  }
});

/** Rank the people matching `query`: best first, at most MAX_OPTIONS. */
function matches(query) {
  const q = fold(query.trim());
  const words = q.split(/\s+/).filter(Boolean);
  const ranked = [];
  for (const person of people.values()) {
    if (person.id === me) continue;
    const name = fold(person.name);
    const parts = name.split(/[\s'’-]+/);
    let rank;
    if (!q || name.startsWith(q)) rank = 0; // "bo", "bob b"
    else if (words.every((w) => parts.some((p) => p.startsWith(w)))) rank = 1; // "brown"
    else if (name.includes(q)) rank = 2; // "row"
    else continue;
    ranked.push({ person, rank });
  }
  const order = { online: 0, away: 1 };
  ranked.sort((a, b) => a.rank - b.rank
    || (order[presenceOf(a.person.id)] ?? 2) - (order[presenceOf(b.person.id)] ?? 2)
    || a.person.name.localeCompare(b.person.name));
  return ranked.slice(0, MAX_OPTIONS).map((r) => r.person);
}

// ---------------------------------------------------------------- listbox

const listbox = document.createElement("ul");
listbox.id = "mention-listbox";
listbox.className = "mention-list";
listbox.setAttribute("role", "listbox");
listbox.setAttribute("aria-label", "People to mention");
listbox.hidden = true;
const status = document.createElement("p");
status.className = "visually-hidden";
status.setAttribute("role", "status");
document.body.append(listbox, status);

// The open list: which box, where its "@" is, what is offered.
let state = null;
// An "@" whose list was closed with Escape stays closed until it changes.
let dismissed = null;

// "@" at the start or after a space or opening bracket, then up to three
// words of a name, ending at the caret.
const TRIGGER = /(?:^|[\s([{"'“‘])@([\p{L}\p{M}'’.-]*(?: [\p{L}\p{M}'’.-]*){0,2})$/u;

function findQuery(box) {
  if (box.selectionStart !== box.selectionEnd) return null;
  const before = box.value.slice(0, box.selectionStart);
  const found = TRIGGER.exec(before);
  if (!found) return null;
  return { start: before.length - found[1].length - 1, query: found[1] };
}

function announce(text) {
  if (status.textContent !== text) status.textContent = text;
}

function close() {
  if (!state) return;
  const { box } = state;
  state = null;
  listbox.hidden = true;
  listbox.replaceChildren();
  box.removeAttribute("aria-activedescendant");
  box.removeAttribute("aria-controls");
  announce("");
}

function setActive(index) {
  state.active = index;
  [...listbox.children].forEach((option, i) => {
    option.setAttribute("aria-selected", String(i === index));
  });
  const option = listbox.children[index];
  state.box.setAttribute("aria-activedescendant", option.id);
  option.scrollIntoView({ block: "nearest" });
}

function option(person) {
  const li = document.createElement("li");
  li.id = `mention-option-${person.id}`;
  li.setAttribute("role", "option");
  li.dataset.id = person.id;
  const avatar = document.createElement("span");
  avatar.className = "avatar";
  avatar.setAttribute("aria-hidden", "true");
  avatar.textContent = person.initials;
  const text = document.createElement("span");
  text.className = "mention-text";
  const name = document.createElement("span");
  name.className = "mention-name";
  name.textContent = person.name;
  text.append(name);
  if (person.title) {
    const title = document.createElement("small");
    title.textContent = person.title;
    text.append(" ", title);
  }
  li.append(avatar, text, presenceDot(person.id));
  return li;
}

function place(box) {
  const rect = box.getBoundingClientRect();
  const width = Math.min(Math.max(rect.width, 16 * 16), 22 * 16, window.innerWidth - 16);
  listbox.style.width = `${width}px`;
  listbox.style.left = `${Math.max(8, Math.min(rect.left, window.innerWidth - width - 8))}px`;
  const height = listbox.offsetHeight;
  // Above the box (a composer sits at the bottom), below if no room.
  const top = rect.top - height - 4 >= 8 ? rect.top - height - 4 : rect.bottom + 4;
  listbox.style.top = `${top}px`;
}

function update(box) {
  const found = findQuery(box);
  if (!found || (dismissed && dismissed.box === box && dismissed.start === found.start)) {
    if (!found) dismissed = null;
    close();
    return;
  }
  const offered = matches(found.query);
  if (!offered.length) {
    close();
    return;
  }
  // The best match leads while the query changes; a caret that moves
  // without changing it keeps the choice.
  const same = state?.box === box && state.start === found.start && state.query === found.query;
  const keep = same ? state.people[state.active]?.id : null;
  state = { box, start: found.start, query: found.query, people: offered, active: 0 };
  listbox.replaceChildren(...offered.map(option));
  listbox.hidden = false;
  box.setAttribute("aria-controls", listbox.id);
  place(box);
  const index = offered.findIndex((p) => p.id === keep);
  setActive(index >= 0 ? index : 0);
  const n = offered.length;
  announce(`${n} ${n === 1 ? "person" : "people"} to mention. Up and down to choose, Enter to insert, Escape to close.`);
}

function insert(person) {
  const { box, start } = state;
  const end = box.selectionStart;
  close();
  box.setRangeText(`@**${person.name}** `, start, end, "end");
  box.focus();
  // chat.js grows the box and sends "typing" on input, as for a keystroke.
  box.dispatchEvent(new Event("input", { bubbles: true }));
}

// ---------------------------------------------------------------- wiring

function mentionBox(target) {
  return target instanceof HTMLTextAreaElement && target.matches("[data-mentions]") ? target : null;
}

// Boxes made later (the edit box) are marked when they get the focus.
for (const box of document.querySelectorAll("textarea[data-mentions]")) {
  box.setAttribute("aria-autocomplete", "list");
}
document.addEventListener("focusin", (event) => {
  const box = mentionBox(event.target);
  if (box && !box.hasAttribute("aria-autocomplete")) box.setAttribute("aria-autocomplete", "list");
});

document.addEventListener("input", (event) => {
  const box = mentionBox(event.target);
  if (box) update(box);
});

// The caret moved without typing (arrows, a click): the word under it may
// be another one.
for (const type of ["click", "keyup"]) {
  document.addEventListener(type, (event) => {
    const box = mentionBox(event.target);
    if (!box) return;
    if (type === "keyup" && !["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) return;
    update(box);
  });
}

document.addEventListener("keydown", (event) => {
  if (!state || event.target !== state.box || event.isComposing) return;
  const n = state.people.length;
  switch (event.key) {
    case "ArrowDown":
      setActive((state.active + 1) % n);
      break;
    case "ArrowUp":
      setActive((state.active - 1 + n) % n);
      break;
    case "Enter":
    case "Tab":
      if (event.shiftKey) return; // Shift+Enter is a new line; Shift+Tab leaves
      insert(state.people[state.active]);
      break;
    case "Escape":
      dismissed = { box: state.box, start: state.start };
      close();
      break;
    default:
      return;
  }
  // Before chat.js: Enter must not send, Escape must not close the thread
  // or cancel the edit.
  event.preventDefault();
  event.stopPropagation();
}, true);

document.addEventListener("focusout", (event) => {
  if (state && event.target === state.box) close();
});

// Keep the focus in the box when an option is pressed.
listbox.addEventListener("mousedown", (event) => event.preventDefault());
listbox.addEventListener("click", (event) => {
  const li = event.target.closest("[role=option]");
  if (!li || !state) return;
  const person = state.people.find((p) => p.id === Number(li.dataset.id));
  if (person) insert(person);
});
listbox.addEventListener("mousemove", (event) => {
  const li = event.target.closest("[role=option]");
  if (!li || !state) return;
  const index = [...listbox.children].indexOf(li);
  if (index !== state.active) setActive(index);
});
window.addEventListener("resize", () => { if (state) place(state.box); });

// ---------------------------------------------------------------- highlight

// A message mentions me when its sanitised HTML holds my chip (the server
// makes a chip only for a mentioned member), whether the page rendered it
// or chat.js did, live or after an edit.
function highlight(message) {
  const chips = message.querySelectorAll(`.msg-body .mention[data-user="${me}"]`);
  for (const chip of chips) chip.classList.add("mention-me");
  message.classList.toggle("mentions-me", chips.length > 0);
}

const lists = document.querySelectorAll("[data-messages], [data-thread-messages]");
for (const list of lists) {
  for (const message of list.querySelectorAll(".msg")) highlight(message);
  new MutationObserver((records) => {
    const touched = new Set();
    for (const record of records) {
      const message = record.target.closest?.(".msg");
      if (message) touched.add(message);
      for (const node of record.addedNodes) {
        if (node.nodeType === Node.ELEMENT_NODE && node.matches(".msg")) touched.add(node);
      }
    }
    for (const message of touched) highlight(message);
  }).observe(list, { childList: true, subtree: true });
}

// ---------------------------------------------------------------- badges

function mentionBadge(id) {
  const item = sidebar?.querySelector(`[data-conversation-id="${id}"]`);
  if (!item) return null;
  let badge = item.querySelector(".mention-badge");
  if (!badge) {
    // An item the sidebar added live.
    badge = document.createElement("span");
    badge.className = "mention-badge";
    badge.dataset.mentions = 0;
    badge.hidden = true;
    badge.innerHTML = '<span aria-hidden="true">@</span><span class="visually-hidden">mentions you</span>';
    item.querySelector(".badge").before(badge);
  }
  return badge;
}

function setMentions(id, count) {
  const badge = mentionBadge(id);
  if (!badge) return;
  // The conversation on screen shows its messages itself.
  if (id === onScreen()) count = 0;
  badge.dataset.mentions = count;
  badge.hidden = count === 0;
}

if (sidebar) {
  const counted = new Set();
  on("message.new", (event) => {
    const m = event.message;
    if (m.sender.id === me || m.thread || m.deleted || !m.mentions.includes(me)) return;
    if (counted.has(m.id)) return;
    counted.add(m.id);
    const badge = mentionBadge(m.conversation);
    if (badge) setMentions(m.conversation, Number(badge.dataset.mentions) + 1);
  });
  // The server's counts are the truth: on every read, and after every
  // connect (the store's list, once the sidebar has drawn it).
  on("read.updated", (event) => setMentions(event.conversation, event.mentions ?? 0));
  onLoad((summaries) => {
    for (const summary of summaries) setMentions(summary.id, summary.mentions ?? 0);
  }, { fromFirstConnect: true });
}
