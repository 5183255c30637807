// What to call a conversation, the way the server does for pages
// (messaging.selectors.display_title): its name, or without one the other
// members. conversation.updated carries the name, the same for everyone,
// so each tab works out its own title from it.

/** Return the title `me` sees for `conversation` ({title, members}). */
export function conversationTitle(conversation, me) {
  if (conversation.title) return conversation.title;
  const others = conversation.members.filter((person) => person.id !== me);
  if (others.length) return others.map((person) => person.name).join(", ");
  const self = conversation.members.find((person) => person.id === me);
  return `${self?.name ?? ""} (you)`;
}
