// The highlight on messages that mention me, on the page and live.
import { me } from "./page.js";

// A message mentions me when its sanitised HTML holds my chip (the server
// makes a chip only for a mentioned member), whether the page rendered it
// or chat.js did, live or after an edit.
function highlight(message) {
  const chips = message.querySelectorAll(`.msg-body .mention[data-user="${me}"]`);
  for (const chip of chips) chip.classList.add("mention-me");
  message.classList.toggle("mentions-me", chips.length > 0);
}

export function setUpHighlight() {
  const lists = document.querySelectorAll("[data-messages], [data-thread-messages]");
  for (const list of lists) {
    for (const message of list.querySelectorAll(".msg")) highlight(message);
    new MutationObserver((records) => {
      const touched = new Set();
      for (const record of records) {
        const message = record.target.closest?.(".msg");
        if (message) touched.add(message);
        for (const node of record.addedNodes) {
          if (node.nodeType === Node.ELEMENT_NODE && node.matches(".msg")) touched.add(node);
        }
      }
      for (const message of touched) highlight(message);
    }).observe(list, { childList: true, subtree: true });
  }
}
