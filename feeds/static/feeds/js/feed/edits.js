// Edits and deletes: the author edits in place, the source text in a box
// where the text was, Save or Cancel (Escape). Deleting asks first, in a
// dialog. Other tabs hear it as post.updated / comment.updated (live.js).
import { request } from "../../../frontend/js/api.js";
import { API, apiMissing, editing, el, postEls, setBody, showError, submitNatively } from "./page.js";
import { commentUpdated } from "./comments.js";
import { removePost } from "./posts.js";

function editForm(id, text, what) {
  const form = el("form", "edit-form");
  const label = el("label", "visually-hidden", `Edit your ${what}`);
  const textarea = el("textarea");
  textarea.id = `edit-${what}-${id}`;
  label.htmlFor = textarea.id;
  textarea.value = text;
  textarea.maxLength = what === "post" ? 20000 : 5000;
  textarea.rows = what === "post" ? 4 : 2;
  textarea.required = true;
  const hint = el(
    "small",
    "edit-hint",
    what === "post" ? "Markdown works. Ctrl+Enter to save, Escape to cancel." : "Enter to save, Escape to cancel.",
  );
  hint.id = `${textarea.id}-hint`;
  textarea.setAttribute("aria-describedby", hint.id);
  const save = el("button", "button button-small", "Save");
  save.type = "submit";
  const cancel = el("button", "button button-quiet button-small", "Cancel");
  cancel.type = "button";
  cancel.dataset.cancelEdit = "";
  const buttons = el("div", "edit-buttons");
  buttons.append(save, cancel);
  form.append(label, textarea, hint, buttons);
  return form;
}

export async function startEdit(button) {
  const comment = button.closest("[data-comment]");
  const item = comment || button.closest("[data-post]");
  const what = comment ? "comment" : "post";
  const id = comment ? comment.dataset.comment : item.dataset.post;
  const body = item.querySelector("[data-body]");
  if (editing(item)) {
    body.querySelector("textarea").focus();
    return;
  }
  const url = `${API}${what}s/${id}`;
  let source;
  try {
    source = await request("GET", url, { fallback: `Could not load the ${what}` });
  } catch (error) {
    showError(button.parentElement, error.message);
    return;
  }
  button.closest("details")?.removeAttribute("open");
  const saved = [...body.childNodes];
  const form = editForm(id, source.body, what);
  const textarea = form.querySelector("textarea");
  body.replaceChildren(form);
  textarea.focus();
  textarea.setSelectionRange(textarea.value.length, textarea.value.length);
  const done = (answer) => {
    if (answer) setBody(body, answer.html, answer.deleted, what);
    else body.replaceChildren(...saved);
    if (answer) item.querySelector("[data-edited]").hidden = !answer.edited_at;
    if (button.isConnected) {
      button.closest("details")?.setAttribute("open", "");
      button.focus();
    } else {
      item.tabIndex = -1;
      item.focus();
    }
  };
  form.querySelector("[data-cancel-edit]").addEventListener("click", () => done(null));
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      done(null);
    } else if (event.key === "Enter" && !event.isComposing) {
      const saves = what === "post" ? event.ctrlKey || event.metaKey : !event.shiftKey;
      if (saves) {
        event.preventDefault();
        form.requestSubmit();
      }
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    event.stopPropagation();
    if (!textarea.value.trim()) {
      showError(form, `The ${what} cannot be empty: delete it instead.`);
      return;
    }
    const save = form.querySelector("button[type=submit]");
    save.disabled = true;
    try {
      const answer = await request("PATCH", url, { body: { body: textarea.value }, fallback: "Could not save" });
      done(answer);
    } catch (error) {
      showError(form, error.message);
      save.disabled = false;
    }
  });
}

let dialog = null;

// One dialog for every "Delete this …?" question; resolves true to go on.
function ask(title, text, action) {
  if (!dialog) {
    dialog = el("dialog", "confirm-dialog");
    const heading = el("h2");
    heading.id = "confirm-title";
    const words = el("p");
    words.id = "confirm-text";
    dialog.setAttribute("aria-labelledby", heading.id);
    dialog.setAttribute("aria-describedby", words.id);
    const form = el("form", "confirm-buttons");
    form.method = "dialog";
    const cancel = el("button", "button button-quiet", "Cancel");
    cancel.value = "cancel";
    cancel.autofocus = true; // the safe choice takes the focus
    const go = el("button", "button button-danger-solid");
    go.value = "go";
    go.dataset.go = "";
    form.append(cancel, go);
    dialog.append(heading, words, form);
    document.body.append(dialog);
  }
  dialog.querySelector("h2").textContent = title;
  dialog.querySelector("p").textContent = text;
  dialog.querySelector("[data-go]").textContent = action;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "go"), { once: true });
  });
}

export async function confirmDelete(form) {
  const what = form.dataset.what;
  const moderated = form.hasAttribute("data-moderated");
  const reason = form.querySelector("[name=reason]")?.value.trim() || "";
  if (moderated && !reason) {
    form.querySelector("[name=reason]").focus();
    return;
  }
  const verb = moderated ? "Remove" : "Delete";
  const ok = await ask(
    `${verb} this ${what}?`,
    moderated
      ? `Its author is told why: “${reason}”. This cannot be undone.`
      : `Everyone will see that it was deleted. This cannot be undone.`,
    `${verb} ${what}`,
  );
  const item = form.closest(what === "comment" ? "[data-comment]" : "[data-post]");
  if (!ok) {
    form.querySelector("button[type=submit]").focus();
    return;
  }
  const id = what === "comment" ? item.dataset.comment : item.dataset.post;
  const url = `${API}${what}s/${id}${reason ? `?${new URLSearchParams({ reason })}` : ""}`;
  try {
    await request("DELETE", url, { fallback: `Could not delete the ${what}` });
  } catch (error) {
    if (apiMissing(error) && form.getAttribute("action")) {
      submitNatively(form);
      return;
    }
    showError(form.parentElement, error.message);
    return;
  }
  // Say so here at once; the event tells the other tabs.
  item.tabIndex = -1;
  item.focus();
  if (what === "comment") {
    commentUpdated({ comment: { id, deleted: true, html: "", edited_at: null, reactions: [] } });
  } else {
    for (const node of postEls(id)) removePost(node);
  }
}

export function setUpEdits() {
  // Edit buttons do nothing without this module: they show with it.
  for (const button of document.querySelectorAll("button[data-edit][hidden]")) button.hidden = false;
}
