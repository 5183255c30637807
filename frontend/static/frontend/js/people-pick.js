// The people picker (messaging/_people_pick.html), on /messages/new/ and in
// a group's people dialog: its search box (data-people-filter, with
// aria-controls naming the picker) narrows the list as one types. Without
// JS the list is the server's, and /messages/new/ searches on submit.
//
// The page lists only the first people; as one types, the server is asked
// too (GET /api/v1/people) and whoever it finds joins the list, so anyone
// in the company can be picked. The picker's data-exclude lists the ids
// that must not be offered (oneself, a group's members).
//
// In the people dialog the search box sits in the picker's own form, where
// Enter would submit it half-chosen: there Enter ticks the first match
// instead, so "car", Enter, Tab to "Add people", Enter adds Carol.
import { get, urls } from "./api.js";
import { fold, foldedWords } from "./fold.js";

// A row's data-key is what the server matched it by (User.search_key: its
// email and skills too), so a row found by email is not hidden again.
function matches(row, words) {
  const text = `${row.dataset.key || ""} ${fold(row.textContent)}`;
  return words.every((word) => text.includes(word));
}

/** Show only the picker's people who match `query` (every word of it). */
export function filterPick(pick, query) {
  const words = foldedWords(query);
  let shown = 0;
  for (const row of pick.querySelectorAll(".person-pick")) {
    // A ticked person stays in view: hiding a choice hides a surprise.
    const show = matches(row, words) || row.querySelector("input").checked;
    row.hidden = !show;
    if (show) shown += 1;
  }
  const none = pick.querySelector("[data-people-none]");
  if (none) none.hidden = shown > 0 || !pick.querySelector(".person-pick");
}

function excluded(pick) {
  return new Set((pick.dataset.exclude || "").split(" ").filter(Boolean).map(Number));
}

/** A picker row for `person` (the shape GET /api/v1/people answers). */
function pickRow(pick, person, key) {
  const id = `${pick.id}-${person.id}`;
  const row = document.createElement("div");
  row.className = "person-pick";
  row.dataset.key = key;
  const box = Object.assign(document.createElement("input"), {
    type: "checkbox", name: "members", value: String(person.id), id,
  });
  const label = document.createElement("label");
  label.htmlFor = id;
  // The photo where there is one, as the {% avatar %} tag draws it.
  const avatar = person.photo
    ? Object.assign(document.createElement("img"), {
      className: "avatar avatar-photo", src: person.photo, alt: "",
    })
    : Object.assign(document.createElement("span"), {
      className: "avatar", textContent: person.initials,
    });
  avatar.setAttribute("aria-hidden", "true");
  const text = Object.assign(document.createElement("span"), { className: "person-text" });
  text.append(Object.assign(document.createElement("strong"), { textContent: person.display_name }));
  const about = [person.title, person.department].filter(Boolean).join(" · ");
  if (about) text.append(Object.assign(document.createElement("small"), { textContent: about }));
  label.append(avatar, text);
  row.append(box, label);
  return row;
}

async function findMore(pick, input, query, signal) {
  const found = await get(urls.people(query), { signal });
  const skip = excluded(pick);
  const none = pick.querySelector("[data-people-none]");
  for (const person of found) {
    if (skip.has(person.id) || pick.querySelector(`input[value="${person.id}"]`)) continue;
    none.before(pickRow(pick, person, fold(query)));
  }
  // As the box reads now: it may have been cleared (people added) meanwhile.
  filterPick(pick, input.value);
}

function setUp(input) {
  const pick = document.getElementById(input.getAttribute("aria-controls"));
  if (!pick) return;
  let timer = 0;
  let asking = null;
  input.addEventListener("input", () => {
    filterPick(pick, input.value);
    clearTimeout(timer);
    asking?.abort();
    const query = input.value.trim();
    if (query.length < 2) return;
    timer = setTimeout(() => {
      asking = new AbortController();
      findMore(pick, input, query, asking.signal).catch(() => {}); // the list stays as it is
    }, 200);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || input.form !== pick.form) return;
    event.preventDefault();
    const words = foldedWords(input.value);
    const first = [...pick.querySelectorAll(".person-pick")].find(
      (row) => !row.querySelector("input").checked && words.length && matches(row, words),
    );
    if (!first) return;
    first.querySelector("input").checked = true;
    input.value = "";
    filterPick(pick, "");
  });
}

for (const input of document.querySelectorAll("[data-people-filter]")) setUp(input);
