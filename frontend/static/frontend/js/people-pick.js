// The people picker (messaging/_people_pick.html), on /messages/new/ and in
// a group's people dialog: its search box (data-people-filter, with
// aria-controls naming the picker) narrows the list as one types. Without
// JS the list is the server's, and /messages/new/ searches on submit.
//
// In the people dialog the search box sits in the picker's own form, where
// Enter would submit it half-chosen: there Enter ticks the first match
// instead, so "car", Enter, Tab to "Add people", Enter adds Carol.

function matches(row, words) {
  const text = row.textContent.toLowerCase();
  return words.every((word) => text.includes(word));
}

/** Show only the picker's people who match `query` (every word of it). */
export function filterPick(pick, query) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
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

function setUp(input) {
  const pick = document.getElementById(input.getAttribute("aria-controls"));
  if (!pick) return;
  input.addEventListener("input", () => filterPick(pick, input.value));
  input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || input.form !== pick.form) return;
    event.preventDefault();
    const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
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
