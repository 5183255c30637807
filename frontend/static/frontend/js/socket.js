// The one WebSocket a tab opens. Every page imports this module; features
// subscribe to event types with on(type, handler).
//
// It reconnects by itself with exponential backoff and full jitter, so a
// server restart does not make every tab reconnect in the same instant.
// The backoff starts over only after the server's hello: a server that
// accepts sockets and then closes them (its Redis is down) must not be
// retried once a second.

const handlers = new Map();
const statusListeners = new Set();
let socket = null;
let attempt = 0;
let pingTimer = null;
let deadTimer = null;
let retryTimer = null;
let stopped = false;
// What the page needs caught up, as {since, seen}: put in the socket's URL,
// so the server sends the catch-up right after hello, without a round trip
// (docs/realtime.md, "Connecting").
let catchUpFrom = null;
let carried = false;

// SOCKET_PING_SECONDS: every ping also keeps the user's presence fresh.
const PING_EVERY_MS = (Number(document.body.dataset.pingSeconds) || 25) * 1000;
// A socket that answers nothing this long after a ping is dead, even if the
// browser has not noticed (a network that vanished without a FIN).
const PONG_WITHIN_MS = 10000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 10000;
// Close codes that mean "do not retry": the session is gone (docs/realtime.md).
const FATAL_CODES = new Set([4401, 4403]);

export function on(type, handler) {
  if (!handlers.has(type)) handlers.set(type, new Set());
  handlers.get(type).add(handler);
  return () => handlers.get(type).delete(handler);
}

export function catchUpWith(provider) {
  catchUpFrom = provider;
}

// Whether the current socket asked for its catch-up in its URL.
export function catchUpCarried() {
  return carried;
}

function socketUrl() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const url = new URL(`${scheme}://${location.host}/ws/`);
  const from = catchUpFrom?.();
  carried = from != null;
  if (carried) {
    url.searchParams.set("since", from.since);
    if (from.seen.length) url.searchParams.set("seen", from.seen.join(","));
  }
  return url;
}

export function onStatus(listener) {
  statusListeners.add(listener);
}

function setStatus(state) {
  for (const listener of statusListeners) listener(state);
}

export function send(event) {
  if (socket && socket.readyState === WebSocket.OPEN) {
    socket.send(JSON.stringify(event));
    return true;
  }
  return false;
}

function dispatch(event) {
  for (const handler of handlers.get(event.type) || []) handler(event);
  for (const handler of handlers.get("*") || []) handler(event);
}

function backoff() {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt);
  attempt += 1;
  return Math.random() * ceiling;
}

function ping() {
  // "active" feeds presence: a hidden tab counts as away.
  if (!send({ type: "ping", active: document.visibilityState === "visible" })) return;
  clearTimeout(deadTimer);
  deadTimer = setTimeout(() => socket?.close(), PONG_WITHIN_MS);
}

export function connect() {
  clearTimeout(retryTimer);
  const current = new WebSocket(socketUrl());
  socket = current;
  current.addEventListener("open", () => {
    clearInterval(pingTimer);
    pingTimer = setInterval(ping, PING_EVERY_MS);
  });
  current.addEventListener("message", (message) => {
    clearTimeout(deadTimer); // anything from the server proves it is alive
    let event;
    try {
      event = JSON.parse(message.data);
    } catch {
      return;
    }
    if (event.type === "hello") {
      attempt = 0;
      setStatus("live");
    }
    dispatch(event);
  });
  current.addEventListener("close", (closeEvent) => {
    if (socket !== current) return; // an old socket, already replaced
    clearInterval(pingTimer);
    clearTimeout(deadTimer);
    if (stopped) return;
    if (FATAL_CODES.has(closeEvent.code)) {
      setStatus("signed-out");
      return;
    }
    setStatus("reconnecting");
    retryTimer = setTimeout(connect, backoff());
  });
}

// Back online: try at once instead of waiting out the backoff.
window.addEventListener("online", () => {
  if (stopped || (socket && socket.readyState <= WebSocket.OPEN)) return;
  attempt = 0;
  connect();
});

// A tab coming back into view reports itself active straight away.
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") ping();
});

export function disconnect() {
  stopped = true;
  if (socket) socket.close();
}
