// How attached files show in a message or a post: the list under its
// body, a thumbnail (linked to the full image) or a file to download.
// The chat timeline calls renderAttachments() when it fills a message,
// feeds (feeds/js/feed/posts.js and live.js) for a post, with its own
// body element; messaging/jinja2/messaging/attachments.html draws the
// same on the server.

// Thumbnails are 400 pixels; they show at most this big (as the server's
// Attachment.shown_size).
const SHOWN_MAX = 320;

export function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} bytes`;
  // As the server's filesizeformat writes them.
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

// The size a thumbnail is drawn at, so the page does not jump as it loads.
function shownSize(a) {
  const scale = Math.min(1, SHOWN_MAX / Math.max(a.width, a.height));
  return [Math.max(1, Math.round(a.width * scale)), Math.max(1, Math.round(a.height * scale))];
}

function hidden(text) {
  const span = document.createElement("span");
  span.className = "visually-hidden";
  span.textContent = text;
  return span;
}

function attachmentItem(a) {
  const li = document.createElement("li");
  const link = document.createElement("a");
  link.href = a.url;
  if (a.is_image) {
    // Opens the full image; the server sends images inline.
    link.className = "attachment-image";
    link.target = "_blank";
    link.rel = "noopener";
    const img = document.createElement("img");
    img.src = a.thumbnail_url;
    img.alt = a.name;
    [img.width, img.height] = shownSize(a);
    img.loading = "lazy";
    link.append(img, hidden(" (full size, opens in a new tab)"));
  } else {
    link.className = "attachment-file";
    link.download = a.name;
    const icon = document.createElement("span");
    icon.className = "file-icon";
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = a.label;
    const text = document.createElement("span");
    text.className = "file-text";
    const name = document.createElement("span");
    name.className = "file-name";
    name.textContent = a.name;
    const size = document.createElement("small");
    size.textContent = formatSize(a.size);
    text.append(name, size);
    link.append(icon, text, hidden(", download"));
  }
  li.append(link);
  return li;
}

// Show `attachments` (the public shape) in message element `el`, after
// its body (`body`: a selector inside `el`). Idempotent: an update redraws
// only when the list changed.
export function renderAttachments(el, attachments, { body = ".msg-body" } = {}) {
  const list = attachments || [];
  const key = list.map((a) => a.id).join(",");
  // A message's text and its "(edited)" share a line (.msg-text): the
  // files go under both.
  const bodyEl = el.querySelector(body);
  const anchor = bodyEl.closest(".msg-text") || bodyEl;
  let ul = anchor.parentElement.querySelector(":scope > .attachments");
  if (ul && ul.dataset.ids === key) return;
  if (!list.length) {
    ul?.remove();
    return;
  }
  if (!ul) {
    ul = document.createElement("ul");
    ul.className = "attachments";
    ul.setAttribute("aria-label", "Attachments");
    anchor.after(ul);
  }
  ul.dataset.ids = key;
  ul.replaceChildren(...list.map(attachmentItem));
}
