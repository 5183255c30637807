// The one WebSocket a tab opens. Every page imports this module; features
// subscribe to event types with on(type, handler).
//
// It reconnects by itself with exponential backoff and full jitter, so a
// server restart does not make every tab reconnect in the same instant.

const handlers = new Map();
const statusListeners = new Set();
let socket = null;
let attempt = 0;
let pingTimer = null;
let stopped = false;

const PING_EVERY_MS = 25000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 15000;
// Close codes that mean "do not retry": the session is gone (docs/realtime.md).
const FATAL_CODES = new Set([4401, 4403]);

export function on(type, handler) {
  if (!handlers.has(type)) handlers.set(type, new Set());
  handlers.get(type).add(handler);
  return () => handlers.get(type).delete(handler);
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

export function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${location.host}/ws/`);
  socket.addEventListener("open", () => {
    attempt = 0;
    clearInterval(pingTimer);
    pingTimer = setInterval(() => send({ type: "ping" }), PING_EVERY_MS);
  });
  socket.addEventListener("message", (message) => {
    let event;
    try {
      event = JSON.parse(message.data);
    } catch {
      return;
    }
    if (event.type === "hello") setStatus("live");
    dispatch(event);
  });
  socket.addEventListener("close", (closeEvent) => {
    clearInterval(pingTimer);
    if (stopped) return;
    if (FATAL_CODES.has(closeEvent.code)) {
      setStatus("signed-out");
      return;
    }
    setStatus("reconnecting");
    setTimeout(connect, backoff());
  });
}

export function disconnect() {
  stopped = true;
  if (socket) socket.close();
}
