// A journey's checklist, live: "Mark done" without a reload, and every
// task.updated from the journey's stream (another tab, the manager, the
// buddy, HR) moves the step to its group in place; an ended journey says
// so (docs/realtime.md).
// Without this module the forms post and the page reloads.
import { catchUpCarried, catchUpWith, on, send } from "../../frontend/js/socket.js";
import { ApiError, patch } from "../../frontend/js/api.js";

const page = document.querySelector("[data-journey]");
const errorBox = document.querySelector("[data-task-error]");
const LABELS = { done: "Undo", open: "Mark done" };

function setText(selector, value) {
  for (const node of page.querySelectorAll(selector)) node.textContent = value;
}

function showProgress(progress) {
  setText("[data-progress-percent]", progress.percent);
  setText("[data-progress-done]", progress.done);
  setText("[data-progress-late]", progress.late);
  const late = page.querySelector("[data-progress-late-box]");
  if (late) late.hidden = progress.late === 0;
  const bar = page.querySelector("[data-progress-bar]");
  if (bar) {
    bar.value = progress.percent;
    bar.textContent = `${progress.percent}%`;
  }
}

function recount() {
  for (const group of page.querySelectorAll("[data-group]")) {
    const n = group.querySelectorAll("[data-task]").length;
    group.querySelector("[data-group-count]").textContent = n;
    group.hidden = n === 0;
  }
}

// Put a task's row in its state's group, in due-date order (done: newest
// first), with its button saying what a click does now.
function showTask(task) {
  const row = page.querySelector(`[data-task="${task.id}"]`);
  if (!row) return;
  row.className = `task task-${task.state}`;
  const done = task.status === "done";
  const note = row.querySelector(".task-done-note");
  if (note) note.hidden = !done;
  const form = row.querySelector("[data-task-form]");
  if (form) {
    form.querySelector("[name=done]").value = done ? "0" : "1";
    const button = form.querySelector("button");
    button.firstChild.textContent = LABELS[task.status];
    button.classList.toggle("button-quiet", done);
  }
  const list = page.querySelector(`[data-group="${task.state}"] .tasks`);
  if (row.parentElement !== list) {
    if (done) {
      list.prepend(row);
    } else {
      const later = [...list.children].find((other) => other.dataset.due > row.dataset.due);
      list.insertBefore(row, later || null);
    }
  }
  recount();
}

function apply(event) {
  const journey = Number(page.dataset.journey);
  if (event.type === "enrollment.ended" && event.enrollment === journey) {
    page.querySelector("[data-ended]").hidden = false;
    page.querySelector("[data-end-journey]")?.remove();
    return;
  }
  if (event.type !== "task.updated" || event.task.enrollment !== journey) return;
  showTask(event.task);
  showProgress(event.progress);
}

if (page) {
  page.addEventListener("submit", async (event) => {
    const form = event.target.closest("[data-task-form]");
    if (!form) return;
    event.preventDefault();
    const row = form.closest("[data-task]");
    const button = form.querySelector("button");
    button.disabled = true;
    errorBox.hidden = true;
    try {
      const task = await patch(`/api/v1/onboarding/tasks/${row.dataset.task}`, {
        done: form.querySelector("[name=done]").value === "1",
      });
      showTask(task);
      button.focus();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      errorBox.textContent = error.message;
      errorBox.hidden = false;
    } finally {
      button.disabled = false;
    }
  });

  on("task.updated", apply);
  on("enrollment.ended", apply);

  // After a reconnect, what happened meanwhile comes from the journey's
  // catch-up log.
  let cursor = Number(page.dataset.cursor) || 0;
  catchUpWith(() => ({ since: cursor, seen: [] }));
  on("hello", () => {
    if (!catchUpCarried()) send({ type: "sync", since: cursor, seen: [] });
  });
  on("sync.batch", (batch) => {
    for (const event of batch.events) apply(event);
    if (batch.cursor > cursor) cursor = batch.cursor;
    if (batch.more) send({ type: "sync", since: cursor, seen: [] });
  });
  on("resync.required", () => location.reload());
}
