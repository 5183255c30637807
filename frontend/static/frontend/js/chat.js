// Messages: the conversation list (inbox and conversation pages) and the
// conversation page, one module per concern under chat/:
//   page.js       the page's elements and shared helpers
//   render.js     how a message looks, runs of one sender, id order
//   timeline.js   live and caught-up events, history
//   composer.js   sending, local echo, retries
//   typing.js     who is typing
//   read.js       the read marker
//   reactions.js  the picker and the chips
//   edits.js      edits and deletes
//   threads.js    the thread panel and reply counts
//   header.js     title, people, connection notice, leaving
//   sidebar.js    the conversation list
//   keys.js       moving through messages, ↑ to edit my last
// This module wires them up; the message action buttons are one listener.
import { setUpSidebar } from "./chat/sidebar.js";
import { composer, list, root, scrollToBottom } from "./chat/page.js";
import { groupRuns } from "./chat/render.js";
import { setUpTimeline } from "./chat/timeline.js";
import { setUpComposer } from "./chat/composer.js";
import { setUpTyping } from "./chat/typing.js";
import { setUpRead } from "./chat/read.js";
import { setUpReactions, toggleChip, togglePicker } from "./chat/reactions.js";
import { confirmDelete, startEdit } from "./chat/edits.js";
import { openThread, setUpThreads } from "./chat/threads.js";
import { setUpHeader } from "./chat/header.js";
import { setUpKeys } from "./chat/keys.js";

function setUpActions() {
  document.addEventListener("click", (event) => {
    const chip = event.target.closest(".chip[data-emoji]");
    if (chip) {
      toggleChip(chip);
      return;
    }
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const el = button.closest(".msg");
    const id = Number(el.dataset.id);
    switch (button.dataset.action) {
      case "react":
        togglePicker(button, id);
        break;
      case "thread":
        openThread(id);
        break;
      case "edit":
        startEdit(el);
        break;
      case "delete":
        confirmDelete(id);
        break;
      default:
        break;
    }
  });
}

// On a touch screen a tap shows a message's actions under it: bring them
// into view.
function setUpTouch() {
  const touch = window.matchMedia("(hover: none)");
  list.addEventListener("focusin", (event) => {
    const el = event.target.closest(".msg");
    if (touch.matches && el) {
      requestAnimationFrame(() => el.scrollIntoView({ block: "nearest" }));
    }
  });
}

function setUpConversation() {
  setUpComposer();
  setUpReactions();
  setUpThreads();
  setUpActions();
  setUpHeader();
  setUpTimeline();
  setUpTyping();
  setUpRead();
  setUpTouch();
  setUpKeys();
  // The server wrote times in UTC; show them in the reader's time zone, as
  // live messages are, and fold runs of one sender.
  groupRuns(list);
  const highlighted = list.querySelector(".msg.highlight");
  const divider = list.querySelector("[data-new-divider]");
  if (highlighted) {
    highlighted.scrollIntoView({ block: "center" });
    highlighted.focus();
  } else if (divider) {
    divider.scrollIntoView({ block: "start" });
  } else {
    scrollToBottom();
  }
  if (!highlighted) composer.querySelector("textarea").focus({ preventScroll: true });
}

setUpSidebar();
if (root) setUpConversation();
