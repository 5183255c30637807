// Feeds, live: the home feed, a space's page and a post's page.
//
// The pages work without this module (every write is a plain form). With
// it, writes go to the REST API without a reload, and socket events update
// what is on screen in place. New posts by others wait behind a "N new
// posts" button, so nothing moves under the reader's eyes. Posts that stay
// on screen for a second are reported as seen (their reach), in batches.
//
// Everything from an event goes in as text (textContent), except `html`:
// the server's sanitised rendering of a post or comment.
//
// One module per concern under feed/:
//   page.js       the page's elements and shared helpers
//   posts.js      a post's card drawn from an event, removed when deleted
//   cards.js      link cards for the pages of Canteen a post links to
//   comments.js   comments: drawing, counts, events, commenting, replies
//   reactions.js  the chips, the React box, reacting
//   reach.js      "Seen by N of M", who saw it, reporting posts seen
//   live.js       "N new posts", live events, the catch-up
//   composer.js   posting, with files
//   edits.js      editing in place, deleting (the confirm dialog)
// This module wires them up; the page's clicks, submits and keys are one
// listener each.
import { createPost, setUpComposer } from "./feed/composer.js";
import { setUpLive } from "./feed/live.js";
import { react } from "./feed/reactions.js";
import { setUpReach, toggleSeenBy } from "./feed/reach.js";
import { cancelReply, comment, startReply } from "./feed/comments.js";
import { confirmDelete, setUpEdits, startEdit } from "./feed/edits.js";

function setUpActions() {
  document.addEventListener("click", (event) => {
    const chipButton = event.target.closest("[data-chips] button.chip[data-emoji]");
    if (chipButton) {
      event.preventDefault();
      const post = chipButton.closest("[data-post]");
      const comment = chipButton.closest("[data-comment]");
      const add = chipButton.getAttribute("aria-pressed") !== "true";
      const form = (comment || post).querySelector("[data-react-form]");
      react(post, chipButton.dataset.emoji, add, form, comment);
      return;
    }
    const names = event.target.closest("button[data-reach-names]");
    if (names) {
      toggleSeenBy(names);
      return;
    }
    const edit = event.target.closest("button[data-edit]");
    if (edit) {
      startEdit(edit);
      return;
    }
    const reply = event.target.closest("a[data-reply]");
    if (reply && startReply(reply)) {
      event.preventDefault();
      return;
    }
    const cancel = event.target.closest("a[data-cancel-reply]");
    if (cancel) {
      event.preventDefault();
      cancelReply(cancel.closest("form"));
    }
  });

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.matches("[data-react-form]")) {
      event.preventDefault();
      const typed = form.querySelector("[name=other]");
      const emoji = event.submitter?.name === "emoji" ? event.submitter.value : typed.value.trim();
      if (!emoji) {
        typed.focus();
        return;
      }
      typed.value = "";
      react(form.closest("[data-post]"), emoji, true, form, form.closest("[data-comment]"));
    } else if (form.matches("[data-delete-form]")) {
      event.preventDefault();
      confirmDelete(form);
    } else if (form.matches("[data-comment-form]")) {
      event.preventDefault();
      comment(form);
    } else if (form.matches("[data-composer]")) {
      event.preventDefault();
      createPost(form);
    }
  });

  // Enter sends a comment; Shift+Enter starts a new line.
  document.addEventListener("keydown", (event) => {
    const box = event.target.closest?.("[data-comment-form] textarea");
    if (box && event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      box.form.requestSubmit();
    }
  });
}

setUpComposer();
setUpLive();
setUpActions();
setUpReach();
setUpEdits();
