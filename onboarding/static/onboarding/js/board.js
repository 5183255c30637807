// The onboarding board, live: a step done anywhere updates its person's
// row, and an ended journey leaves the board (HR hears both on
// HR's stream, role.hr; a manager on their reports' journeys:
// docs/realtime.md). A reload reads the board afresh.
import { on } from "../../frontend/js/socket.js";

const board = document.querySelector("[data-board]");

on("task.updated", ({ progress }) => {
  const row = board?.querySelector(`[data-enrollment="${progress.id}"]`);
  if (!row) return;
  row.querySelector("[data-percent]").textContent = progress.percent;
  row.querySelector("[data-percent-bar]").value = progress.percent;
  const late = row.querySelector("[data-late]");
  late.textContent = progress.late;
  late.classList.toggle("late-count", progress.late > 0);
});

on("enrollment.ended", ({ enrollment }) => {
  board?.querySelector(`[data-enrollment="${enrollment}"]`)?.remove();
});
