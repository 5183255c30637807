// Edits and deletes: the edit box in place of a message's text, the
// question before a delete, and the edited or deleted message as the
// server sends it back to every tab.
import { get, urls } from "../api.js";
import { act, focusAction, list, showComposerError, threadList } from "./page.js";
import { fillMessage, groupRuns } from "./render.js";

function editForm(id, text) {
  const form = document.createElement("form");
  form.className = "edit-form";
  const label = document.createElement("label");
  label.className = "visually-hidden";
  label.htmlFor = `edit-${id}`;
  label.textContent = "Edit message";
  const textarea = document.createElement("textarea");
  textarea.id = `edit-${id}`;
  textarea.value = text;
  textarea.maxLength = 10000;
  textarea.rows = 2;
  textarea.dataset.mentions = ""; // @ autocomplete (mentions.js)
  const save = document.createElement("button");
  save.type = "submit";
  save.className = "button button-small";
  save.textContent = "Save";
  const cancel = document.createElement("button");
  cancel.type = "button";
  cancel.className = "button button-quiet button-small";
  cancel.textContent = "Cancel";
  const hint = document.createElement("small");
  hint.id = `edit-${id}-hint`;
  hint.textContent = "Enter to save, Escape to cancel.";
  textarea.setAttribute("aria-describedby", hint.id);
  form.append(label, textarea, save, cancel, hint);
  return form;
}

/**
 * Put an edit box with the message's source text in place of `el`'s text;
 * when it closes the focus goes to `returnTo` (the composer, for ↑), else
 * to the message's Edit button.
 */
export async function startEdit(el, { returnTo = null } = {}) {
  const id = Number(el.dataset.id);
  let message;
  try {
    message = await get(urls.message(id));
  } catch {
    showComposerError("That message could not be loaded for editing. Try again.");
    return;
  }
  const body = el.querySelector(".msg-body");
  if (body.querySelector(".edit-form")) return;
  const saved = body.innerHTML;
  const form = editForm(id, message.body);
  const textarea = form.querySelector("textarea");
  body.replaceChildren(form);
  textarea.focus();
  textarea.setSelectionRange(textarea.value.length, textarea.value.length);
  const restore = () => {
    body.innerHTML = saved;
    if (returnTo) returnTo.focus();
    else focusAction(el, "edit");
  };
  form.querySelector("button[type=button]").addEventListener("click", restore);
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.stopPropagation(); // in the thread panel, close the edit only
      restore();
    }
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = textarea.value.trim();
    if (!text) return;
    if (!act({ type: "message.edit", message: id, body: text })) return;
    restore(); // the message.edited event brings the new text
  });
}

/** Ask, then delete message `id`. */
export function confirmDelete(id) {
  // eslint-disable-next-line no-alert
  if (window.confirm("Delete this message? Everyone will see that it was deleted.")) {
    act({ type: "message.delete", message: id });
  }
}

/** Redraw message `m` (edited or deleted) wherever it shows. */
export function applyChangedMessage(m) {
  for (const el of document.querySelectorAll(`.msg[data-id="${m.id}"]`)) {
    const hadFocus = el.contains(document.activeElement);
    if (el.querySelector(".edit-form")) continue; // being edited here: keep it
    fillMessage(el, m);
    if (el.classList.contains("thread-root")) {
      el.querySelector(".thread-link")?.remove();
      el.querySelector('[data-action="thread"]')?.remove();
    }
    // Deleting removes the focused button: keep the place in the list.
    if (hadFocus && !el.contains(document.activeElement)) el.focus();
  }
  groupRuns(list);
  groupRuns(threadList);
}
