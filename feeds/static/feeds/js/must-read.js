// Must-read announcements: "I've read this" through the REST API (the
// form posts natively without JavaScript), the must-read line of a post
// drawn live, and the live "Acknowledged by N of M" on the
// acknowledgements page (announcement.acknowledged, docs/realtime.md).

import { on } from "../../frontend/js/socket.js";
import { ApiError, request } from "../../frontend/js/api.js";

const API = "/api/v1/";
const me = Number(document.body.dataset.me);

function showAcknowledged(box) {
  box.querySelector("[data-acknowledge-form]").hidden = true;
  box.querySelector("[data-acknowledged]").hidden = false;
}

/** Fill a live-drawn post's must-read line: the viewer's own state comes
 *  from GET /posts/{id}, as the shared post.new event cannot carry it. */
export async function fillMustRead(node, post) {
  const box = node.querySelector("[data-must-read]");
  if (!box) return;
  box.hidden = !post.must_read || post.deleted;
  if (box.hidden) return;
  const link = box.querySelector("[data-acknowledgements-link]");
  link.href = `/posts/${Number(post.id)}/acknowledgements/`;
  // HR sees the link on the page itself; a live card knows only its author.
  link.hidden = post.author.id !== me;
  if (post.author.id === me) return;
  try {
    const mine = await request("GET", `${API}posts/${Number(post.id)}`);
    if (mine.acknowledged === true) showAcknowledged(box);
    else if (mine.acknowledged === false) box.querySelector("[data-acknowledge-form]").hidden = false;
  } catch {
    // Leave the line as a mark only: the page shows the button on reload.
  }
}

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!form.matches?.("[data-acknowledge-form]")) return;
  event.preventDefault();
  const id = Number(form.closest("[data-post]")?.dataset.post);
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    await request("POST", `${API}posts/${id}/acknowledge`, { fallback: "Could not record it" });
    for (const box of document.querySelectorAll(`[data-post="${id}"] [data-must-read]`)) showAcknowledged(box);
  } catch (error) {
    button.disabled = false;
    if (error instanceof ApiError && error.status === 0) {
      form.submit();
      return;
    }
    const note = form.parentElement.querySelector(".must-read-error") || document.createElement("p");
    note.className = "must-read-error";
    note.setAttribute("role", "alert");
    note.textContent = error.message;
    form.after(note);
  }
});

// The acknowledgements page: the count follows live; after a reconnect
// (the count is not replayed) it is read again.
const report = document.querySelector("[data-ack-report]");
if (report) {
  const post = Number(report.dataset.ackReport);
  const show = (acknowledged, expected) => {
    report.querySelector("[data-ack-acknowledged]").textContent = acknowledged;
    report.querySelector("[data-ack-expected]").textContent = expected;
    const bar = report.querySelector("[data-ack-progress]");
    bar.max = expected;
    bar.value = acknowledged;
    bar.textContent = `${acknowledged} of ${expected}`;
  };
  on("announcement.acknowledged", (event) => {
    if (event.post === post) show(event.acknowledged, event.expected);
  });
  let first = true;
  on("hello", async () => {
    if (first) {
      first = false;
      return;
    }
    try {
      const now = await request("GET", `${API}posts/${post}/acknowledgements`);
      show(now.acknowledged, now.expected);
    } catch {
      // The live count resumes with the next acknowledgement.
    }
  });
}
