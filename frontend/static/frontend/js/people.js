// A group's people dialog (messaging/conversation.html): who is in it, a
// "Message" button each, and "Add people". The header's "3 people" button
// opens it with the browser's own invoker commands (commandfor), which also
// bring focus back on close; the fallback below serves older browsers.
// Adding posts to the REST API, so an error shows in the dialog; the member
// list follows `conversation.updated`, which reaches every open tab.
import { on } from "./socket.js";
import { presenceDot } from "./presence.js";
import { filterPick } from "./people-pick.js";

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
  let response;
  try {
    response = await fetch(`/api/v1/conversations/${dialog.dataset.conversation}/members`, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value,
      },
      body: JSON.stringify({ members: ticked.map((input) => Number(input.value)) }),
    });
  } catch {
    response = null;
  }
  if (response && response.ok) {
    status.textContent = `Added ${names.join(", ")}.`;
    form.querySelector("[data-people-filter]").value = "";
    filterPick(form.querySelector("[data-people-pick]"), "");
    return;
  }
  let message = "Could not add them: check your connection and try again.";
  if (response) {
    const body = await response.json().catch(() => ({}));
    message = body.error || `Could not add them (error ${response.status}).`;
  }
  error.textContent = message;
  error.hidden = false;
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
  on("conversation.updated", (event) => {
    if (event.conversation.id === Number(dialog.dataset.conversation)) {
      showMembers(event.conversation.members);
    }
  });
}
