// Attachments: picking, pasting and dropping files into a composer, and
// their uploads (with progress). The composer calls setUpAttachments()
// for a form; everything else about a composer's files lives here. Feeds
// uses it for posts (feeds/js/feed/composer.js), with its own upload URL.
// How sent files show is attachment-list.js.
import { urls, writeHeaders } from "./api.js";
import { formatSize } from "./attachment-list.js";

const MAX_PER_MESSAGE = 10;

// Wire a composer form's attach button, paste and drop. Returns what the
// composer's submit needs: check() says why files cannot be sent yet (or
// null), take() hands over the uploaded files' shapes and clears them.
// `uploadUrl` (default: the conversation's) is where files go; `what`
// names what they are sent with, for messages.
export function setUpAttachments(
  form,
  { conversationId, uploadUrl, dropZone, onError, what = "message" },
) {
  const button = form.querySelector("[data-attach]");
  const input = form.querySelector("[data-attach-input]");
  const chips = form.querySelector("[data-pending-files]");
  const status = form.querySelector("[data-attach-status]");
  const textarea = form.querySelector("textarea");
  const maxBytes = Number(form.dataset.maxAttachmentBytes);
  const pendingFiles = []; // { file, chip, state, data, xhr, preview }

  function announce(text) {
    status.textContent = text;
  }

  function refresh() {
    chips.hidden = pendingFiles.length === 0;
    form.classList.toggle("has-files", pendingFiles.length > 0);
  }

  function setState(entry, state, message = "") {
    entry.state = state;
    entry.chip.dataset.state = state;
    const note = entry.chip.querySelector(".chip-note");
    const progress = entry.chip.querySelector("progress");
    progress.hidden = state !== "uploading";
    note.textContent = message;
    note.hidden = !message;
    if (state === "failed") {
      // Whatever it is, it is not an image to preview.
      entry.chip.querySelector("img")?.replaceWith(fileIcon(entry.file.name));
    }
  }

  function remove(entry, { refocus = true } = {}) {
    entry.xhr?.abort();
    if (entry.preview) URL.revokeObjectURL(entry.preview);
    const index = pendingFiles.indexOf(entry);
    pendingFiles.splice(index, 1);
    entry.chip.remove();
    refresh();
    if (!refocus) return;
    // Keep keyboard focus in the list, or back in the message box.
    const next = pendingFiles[Math.min(index, pendingFiles.length - 1)];
    if (next) next.chip.querySelector(".chip-remove").focus();
    else textarea.focus();
    announce(`${entry.file.name} removed.`);
  }

  function fileIcon(name) {
    const icon = document.createElement("span");
    icon.className = "file-icon";
    icon.setAttribute("aria-hidden", "true");
    const extension = name.includes(".") ? name.split(".").pop() : "file";
    icon.textContent = extension.slice(0, 4).toUpperCase();
    return icon;
  }

  function chipFor(entry) {
    const { file } = entry;
    const li = document.createElement("li");
    li.className = "file-chip";
    if (file.type.startsWith("image/")) {
      entry.preview = URL.createObjectURL(file);
      const img = document.createElement("img");
      img.src = entry.preview;
      img.alt = "";
      img.width = 40;
      img.height = 40;
      li.append(img);
    } else {
      li.append(fileIcon(file.name));
    }
    const text = document.createElement("span");
    text.className = "chip-text";
    const name = document.createElement("span");
    name.className = "chip-name";
    name.textContent = file.name;
    const size = document.createElement("small");
    size.textContent = formatSize(file.size);
    const progress = document.createElement("progress");
    progress.max = 100;
    progress.value = 0;
    progress.setAttribute("aria-label", `Uploading ${file.name}`);
    const note = document.createElement("small");
    note.className = "chip-note";
    note.hidden = true;
    text.append(name, size, progress, note);
    const removeButton = document.createElement("button");
    removeButton.type = "button";
    removeButton.className = "chip-remove";
    removeButton.setAttribute("aria-label", `Remove ${file.name}`);
    removeButton.textContent = "×";
    removeButton.addEventListener("click", () => remove(entry));
    li.append(text, removeButton);
    return li;
  }

  function upload(entry) {
    const data = new FormData();
    data.append("file", entry.file, entry.file.name);
    const xhr = new XMLHttpRequest();
    entry.xhr = xhr;
    xhr.open("POST", uploadUrl || urls.attachments(conversationId));
    for (const [name, value] of Object.entries(writeHeaders())) xhr.setRequestHeader(name, value);
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) {
        entry.chip.querySelector("progress").value = Math.round((event.loaded / event.total) * 100);
      }
    });
    xhr.addEventListener("load", () => {
      entry.xhr = null;
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status === 201 && body) {
        entry.data = body;
        setState(entry, "done");
        announce(`${entry.file.name} is ready to send.`);
      } else {
        const reason = body?.error || `The upload failed (${xhr.status}).`;
        setState(entry, "failed", reason);
        announce(`${entry.file.name} could not be attached: ${reason}`);
      }
    });
    xhr.addEventListener("error", () => {
      entry.xhr = null;
      setState(entry, "failed", "The upload failed: check the connection and try again.");
      announce(`${entry.file.name} could not be uploaded.`);
    });
    xhr.send(data);
  }

  function add(files) {
    for (const file of files) {
      if (pendingFiles.length >= MAX_PER_MESSAGE) {
        onError(`A ${what} can have at most ${MAX_PER_MESSAGE} attachments.`);
        break;
      }
      const entry = { file, state: "uploading", data: null, xhr: null, preview: null };
      entry.chip = chipFor(entry);
      pendingFiles.push(entry);
      chips.append(entry.chip);
      if (maxBytes && file.size > maxBytes) {
        // Said at once, without sending megabytes to hear it.
        setState(entry, "failed", `Too big: files can be at most ${formatSize(maxBytes)}.`);
        announce(`${file.name} is too big to attach.`);
      } else {
        setState(entry, "uploading");
        upload(entry);
      }
    }
    refresh();
  }

  button.addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    add([...input.files]);
    input.value = ""; // the same file may be picked again
    textarea.focus();
  });

  textarea.addEventListener("paste", (event) => {
    const files = [...(event.clipboardData?.files || [])];
    if (!files.length) return;
    event.preventDefault();
    add(files);
  });

  const zone = dropZone || form;
  const hasFiles = (event) => [...(event.dataTransfer?.types || [])].includes("Files");
  let depth = 0;
  zone.addEventListener("dragenter", (event) => {
    if (!hasFiles(event)) return;
    depth += 1;
    form.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (!depth) form.classList.remove("dragging");
  });
  zone.addEventListener("dragover", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  });
  zone.addEventListener("drop", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth = 0;
    form.classList.remove("dragging");
    add([...event.dataTransfer.files]);
    textarea.focus();
  });

  refresh();

  return {
    count: () => pendingFiles.length,
    check() {
      if (pendingFiles.some((e) => e.state === "uploading")) {
        return "Wait for the files to finish uploading, then send.";
      }
      if (pendingFiles.some((e) => e.state === "failed")) {
        return "Remove the files that could not be attached, then send.";
      }
      return null;
    },
    // The uploaded files' shapes, kept until take() (a failed post keeps them).
    peek: () => pendingFiles.map((e) => e.data),
    take() {
      const taken = pendingFiles.map((e) => e.data);
      for (const entry of [...pendingFiles]) remove(entry, { refocus: false });
      return taken;
    },
  };
}
