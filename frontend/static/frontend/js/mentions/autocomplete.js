// The @ autocomplete: the list of people under (or over) the box, and
// the keys, clicks and typing that drive it.
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
import { presenceDot } from "../presence.js";
import { matches } from "./people.js";

const listbox = document.createElement("ul");
listbox.id = "mention-listbox";
listbox.className = "mention-list";
listbox.setAttribute("role", "listbox");
listbox.setAttribute("aria-label", "People to mention");
listbox.hidden = true;
const status = document.createElement("p");
status.className = "visually-hidden";
status.setAttribute("role", "status");

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

function mentionBox(target) {
  return target instanceof HTMLTextAreaElement && target.matches("[data-mentions]") ? target : null;
}

export function setUpAutocomplete() {
  document.body.append(listbox, status);

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
}
