// The people one may mention: the conversation's members, from the page
// (json_script) and kept current by conversation.updated, ranked for a
// query.
import { on } from "../socket.js";
import { presenceOf } from "../presence.js";
import { fold } from "../fold.js";
import { me, onScreen } from "./page.js";

const MAX_OPTIONS = 8;

const people = new Map(); // id -> {id, name, initials, title}
const source = document.getElementById("mention-people");

export function setUpPeople() {
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
}

/** Rank the people matching `query`: best first, at most MAX_OPTIONS. */
export function matches(query) {
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
