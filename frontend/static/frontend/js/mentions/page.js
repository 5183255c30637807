// What every part of mentions.js needs to know about the page: who I am
// and which conversation is on screen (0: none).

export const me = Number(document.body.dataset.me);
const root = document.querySelector(".chat");

export function onScreen() {
  return Number(root?.dataset.conversation) || 0;
}
