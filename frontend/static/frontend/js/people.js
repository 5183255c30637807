// A group's people dialog (messaging/conversation.html): who is in it, a
// "Message" button each, and "Add people". The header's "3 people" button
// opens it with the browser's own invoker commands (commandfor), which also
// bring focus back on close; the fallback below serves older browsers.
// Adding posts to the REST API, so an error shows in the dialog; the member
// list follows `conversation.updated`, which reaches every open tab.
// "Rename" beside the title unfolds a small form that patches the REST
// API; without JS that form is always shown and posts to a page instead.
import { on } from "./socket.js";
import { patch, post, urls } from "./api.js";
import { presenceDot } from "./presence.js";
import { filterPick } from "./people-pick.js";
import { conversationTitle } from "./conversation-title.js";

const dialog = document.querySelector("[data-people-dialog]");
const me = Number(document.body.dataset.me);

function personRow(person) {
  const template = document.getElementById("person-row-template");
  const row = template.content.firstElementChild.cloneNode(true);
  row.dataset.person = person.id;
  row.querySelector(".avatar").textContent = person.initials;
  const name = row.querySelector("strong");
  if (person.id === me) {
    name.textContent = person.name;
  } else {
    const link = document.createElement("a");
    link.href = `/people/${person.id}/`; // their profile
    link.textContent = person.name;
    name.append(link);
  }
  if (person.title) {
    const title = document.createElement("small");
    title.textContent = person.title;
    name.after(title);
  }
  const form = row.querySelector("form");
  if (person.id === me) {
    const you = document.createElement("span");
    you.className = "you";
    you.textContent = "(you)";
    name.append(" ", you);
    form.remove();
  } else {
    form.action = `/messages/with/${person.id}/`;
    form.querySelector(".visually-hidden").textContent = person.name;
    name.append(" ", presenceDot(person.id));
  }
  return row;
}

function showMembers(members) {
  const list = dialog.querySelector("[data-people-list]");
  // Rows already drawn stay (and keep their presence); newcomers are built.
  const rows = new Map([...list.children].map((row) => [Number(row.dataset.person), row]));
  list.replaceChildren(...members.map((person) => rows.get(person.id) || personRow(person)));
  dialog.querySelector("[data-member-count]").textContent = `${members.length} people`;
  // Whoever is in can no longer be added.
  const pick = dialog.querySelector("[data-people-pick]");
  pick.dataset.exclude = members.map((person) => person.id).join(" ");
  for (const person of members) {
    pick.querySelector(`input[value="${person.id}"]`)?.closest(".person-pick")?.remove();
  }
  if (!pick.querySelector(".person-pick")) {
    // Nobody left to add: say so, and put away the search and the button.
    if (!pick.querySelector(":scope > p:not([data-people-none])")) {
      const p = document.createElement("p");
      p.textContent = "Everyone is already here.";
      pick.querySelector("legend").after(p);
    }
    pick.querySelector("[data-people-none]").hidden = true;
    for (const element of dialog.querySelectorAll("[data-people-find]")) {
      // Focus must not vanish with the control that had it.
      if (element.contains(document.activeElement)) {
        dialog.querySelector("[command=close]").focus();
      }
      element.hidden = true;
    }
  }
}

async function addPeople(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const error = form.querySelector("[data-people-error]");
  const status = form.querySelector("[data-people-status]");
  const ticked = [...form.querySelectorAll("input[name=members]:checked")];
  error.hidden = true;
  status.textContent = "";
  if (!ticked.length) {
    error.textContent = "Choose someone to add.";
    error.hidden = false;
    return;
  }
  const names = ticked.map((input) => input.closest(".person-pick").querySelector("strong").textContent);
  try {
    await post(
      urls.members(dialog.dataset.conversation),
      { members: ticked.map((input) => Number(input.value)) },
      { fallback: "Could not add them" },
    );
  } catch (failure) {
    error.textContent = failure.message;
    error.hidden = false;
    return;
  }
  status.textContent = `Added ${names.join(", ")}.`;
  form.querySelector("[data-people-filter]").value = "";
  filterPick(form.querySelector("[data-people-pick]"), "");
}

// -------------------------------------------------------------- renaming

const renameOpen = dialog?.querySelector("[data-rename-open]");
const renameForm = dialog?.querySelector("[data-rename-form]");

function showRenameError(message) {
  const error = renameForm.querySelector("[data-rename-error]");
  const input = renameForm.elements.name;
  error.textContent = message;
  error.hidden = !message;
  if (message) {
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", "rename-error rename-help");
  } else {
    input.removeAttribute("aria-invalid");
    input.setAttribute("aria-describedby", "rename-help");
  }
}

function openRename() {
  const input = renameForm.elements.name;
  input.value = dialog.dataset.name; // "" for a group without a name
  showRenameError("");
  dialog.querySelector("[data-rename-status]").textContent = "";
  renameForm.hidden = false;
  renameOpen.setAttribute("aria-expanded", "true");
  input.focus();
  input.select();
}

function closeRename() {
  renameForm.hidden = true;
  renameOpen.setAttribute("aria-expanded", "false");
  renameOpen.focus();
}

async function rename(event) {
  event.preventDefault();
  const save = renameForm.querySelector("[type=submit]");
  if (save.disabled) return;
  save.disabled = true;
  let conversation;
  try {
    conversation = await patch(
      urls.conversation(dialog.dataset.conversation),
      { name: renameForm.elements.name.value },
      { fallback: "Could not rename the group" },
    );
  } catch (failure) {
    showRenameError(failure.message);
    renameForm.elements.name.focus();
    return;
  } finally {
    save.disabled = false;
  }
  // The title, here as in every other tab, follows conversation.updated:
  // the answer could arrive after a newer rename's event.
  dialog.querySelector("[data-rename-status]").textContent = conversation.name
    ? `Renamed to “${conversation.name}”.`
    : "The group has no name now: it goes by its people.";
  closeRename();
}

function showName(name, title) {
  dialog.dataset.name = name;
  dialog.querySelector("#people-title").textContent = title;
}

function setUpRename() {
  // With JS the form waits behind the button, and Cancel can work.
  renameForm.hidden = true;
  renameOpen.hidden = false;
  renameForm.querySelector("[data-rename-cancel]").hidden = false;
  renameOpen.addEventListener("click", () => {
    if (renameForm.hidden) openRename();
    else closeRename();
  });
  renameForm.querySelector("[data-rename-cancel]").addEventListener("click", closeRename);
  renameForm.addEventListener("submit", rename);
  renameForm.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    // Escape folds the form away; the dialog stays open (a cancelled
    // keydown makes no close request).
    event.preventDefault();
    closeRename();
  });
  // Closing the dialog half-way drops the edit.
  dialog.addEventListener("close", () => {
    renameForm.hidden = true;
    renameOpen.setAttribute("aria-expanded", "false");
  });
}

if (dialog) {
  if (!("command" in HTMLButtonElement.prototype)) {
    for (const button of document.querySelectorAll("[commandfor=people-dialog]")) {
      button.addEventListener("click", () => {
        if (button.getAttribute("command") === "close") dialog.close();
        else dialog.showModal();
      });
    }
  }
  dialog.querySelector("[data-people-add]").addEventListener("submit", addPeople);
  setUpRename();
  const follow = (event) => {
    if (event.type === "conversation.updated"
        && event.conversation.id === Number(dialog.dataset.conversation)) {
      showMembers(event.conversation.members);
      showName(event.conversation.title, conversationTitle(event.conversation, me));
    }
  };
  on("conversation.updated", follow);
  // What changed while the socket was down comes back with the catch-up.
  on("sync.batch", (batch) => batch.events.forEach(follow));
}
