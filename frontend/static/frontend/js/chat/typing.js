// "Ana is typing…": who is typing here, and telling the others when I am.
import { on, send } from "../socket.js";
import { conversationId, me, root } from "./page.js";

const typers = new Map(); // user id -> {name, timer}
let lastTypingSent = 0;

function showTyping() {
  const names = [...typers.values()].map((t) => t.name);
  let text = "";
  if (names.length === 1) text = `${names[0]} is typing…`;
  else if (names.length === 2) text = `${names[0]} and ${names[1]} are typing…`;
  else if (names.length > 2) text = "Several people are typing…";
  const line = root.querySelector("[data-typing]");
  if (line.textContent !== text) line.textContent = text;
}

function applyTyping(event) {
  if (event.conversation !== conversationId || event.user.id === me) return;
  clearTimeout(typers.get(event.user.id)?.timer);
  if (event.active) {
    // A lost "stop" must not leave the line up for ever.
    const timer = setTimeout(() => {
      typers.delete(event.user.id);
      showTyping();
    }, 6000);
    typers.set(event.user.id, { name: event.user.name, timer });
  } else {
    typers.delete(event.user.id);
  }
  showTyping();
}

/** Someone's message arrived: they are no longer typing it. */
export function stopShowingTyper(userId) {
  if (!typers.has(userId)) return;
  clearTimeout(typers.get(userId).timer);
  typers.delete(userId);
  showTyping();
}

/** Tell the others I am typing (`text` is the box's), at most every 3 s. */
export function typed(text) {
  const now = Date.now();
  if (!text.trim()) {
    stoppedTyping();
  } else if (now - lastTypingSent > 3000) {
    send({ type: "typing.start", conversation: conversationId });
    lastTypingSent = now;
  }
}

/** Tell the others I stopped typing, if I had said I was. */
export function stoppedTyping() {
  if (lastTypingSent) send({ type: "typing.stop", conversation: conversationId });
  lastTypingSent = 0;
}

export function setUpTyping() {
  on("typing", applyTyping);
}
