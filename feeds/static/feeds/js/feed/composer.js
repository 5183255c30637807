// The composer: a post, with its files, through the REST API.
import { request } from "../../../frontend/js/api.js";
import { setUpAttachments } from "../../../frontend/js/attachments.js";
import { API, apiMissing, submitNatively } from "./page.js";
import { addPost, belongsHere } from "./live.js";

const composerForm = document.querySelector("[data-composer]");
let composerFiles = null;

export function setUpComposer() {
  // Files for the post, uploaded before it is sent (as in chat).
  composerFiles = composerForm?.querySelector("[data-attach]")
    ? setUpAttachments(composerForm, {
        uploadUrl: `/api/v1/spaces/${Number(composerForm.dataset.space)}/attachments`,
        what: "post",
        onError(message) {
          const box = composerForm.querySelector("[data-composer-error]");
          box.textContent = message;
          box.hidden = false;
        },
      })
    : null;
}

export async function createPost(form) {
  const textarea = form.querySelector("textarea");
  if (!textarea.value.trim()) return;
  const clientId = form.querySelector("[data-client-id]");
  const errorBox = form.querySelector("[data-composer-error]");
  const button = form.querySelector("button[type=submit]");
  const waitForFiles = composerFiles?.check();
  if (waitForFiles) {
    errorBox.textContent = waitForFiles;
    errorBox.hidden = false;
    return;
  }
  button.disabled = true;
  try {
    const answer = await request("POST", `${API}spaces/${form.dataset.space}/posts`, {
      body: {
        body: textarea.value,
        client_id: clientId.value,
        announcement: Boolean(form.querySelector("[name=announcement]")?.checked),
        attachments: (composerFiles?.peek() || []).map((a) => a.id),
      },
      fallback: "Could not post",
    });
    textarea.value = "";
    composerFiles?.take();
    clientId.value = crypto.randomUUID();
    errorBox.hidden = true;
    if (answer?.id && belongsHere(answer)) addPost(answer, { now: true });
  } catch (error) {
    if (apiMissing(error)) {
      submitNatively(form);
      return;
    }
    errorBox.textContent = error.message;
    errorBox.hidden = false;
  } finally {
    button.disabled = false;
  }
}
