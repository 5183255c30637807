// The one WebSocket a tab opens. Every page imports this module; features
// subscribe to event types with on(type, handler).
//
// It reconnects by itself with exponential backoff and full jitter, so a
// server restart does not make every tab reconnect in the same instant.
// The backoff starts over only after the server's hello: a server that
// accepts sockets and then closes them (its Redis is down) must not be
// retried once a second.
//
// The status it reports is honest within seconds: "offline" as soon as the
// browser says the network is gone (its offline event), and "reconnecting"
// when the socket stops answering, which a vanished network without a FIN
// never reports by itself: a ping goes out every HEARTBEAT_MS, and after
// any command that expects an answer that has not come in ANSWER_WITHIN_MS;
// no pong within PONG_WITHIN_MS and the socket is taken as dead.

const handlers = new Map();
const statusListeners = new Set();
let socket = null;
let attempt = 0;
let pingTimer = null;
let deadTimer = null;
let answerTimer = null;
let retryTimer = null;
let stopped = false;
let status = "connecting";
// What the page needs caught up, as {since, seen}: put in the socket's URL,
// so the server sends the catch-up right after hello, without a round trip
// (docs/realtime.md, "Connecting").
let catchUpFrom = null;
let carried = false;

// SOCKET_PING_SECONDS: every ping also keeps the user's presence fresh. A
// ping is also the heartbeat, so it goes at least every 10 s.
const PING_EVERY_MS = (Number(document.body.dataset.pingSeconds) || 25) * 1000;
const HEARTBEAT_MS = Math.min(PING_EVERY_MS, 10000);
// A socket that answers nothing this long after a ping is dead, even if the
// browser has not noticed (a network that vanished without a FIN).
const PONG_WITHIN_MS = 4000;
// A command that the server answers (an ack, an event, an error) and no
// frame at all this long after it: ask with a ping whether the socket lives.
const ANSWER_WITHIN_MS = 3000;
const ANSWERED = new Set([
  "message.send", "message.edit", "message.delete", "reaction.add", "reaction.remove", "sync",
]);
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
  status = state;
  for (const listener of statusListeners) listener(state);
}

/** Return the status last reported: "connecting", "live", "reconnecting",
 * "offline" or "signed-out". */
export function currentStatus() {
  return status;
}

/** Send `event` if the socket is live; return whether it went. */
export function send(event) {
  if (!socket || socket.readyState !== WebSocket.OPEN || status !== "live") return false;
  socket.send(JSON.stringify(event));
  if (ANSWERED.has(event.type) && !answerTimer) {
    answerTimer = setTimeout(() => {
      answerTimer = null;
      ping();
    }, ANSWER_WITHIN_MS);
  }
  return true;
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
  if (!socket || socket.readyState !== WebSocket.OPEN) return;
  // "active" feeds presence: a hidden tab counts as away.
  socket.send(JSON.stringify({ type: "ping", active: document.visibilityState === "visible" }));
  if (deadTimer) return; // the first unanswered ping's deadline stands
  const current = socket;
  deadTimer = setTimeout(() => lost(current), PONG_WITHIN_MS);
}

function stopTimers() {
  clearInterval(pingTimer);
  clearTimeout(deadTimer);
  clearTimeout(answerTimer);
  deadTimer = null;
  answerTimer = null;
}

// The socket `current` is gone (closed, or silent past its deadline):
// forget it at once, so nothing more is sent into it, and try again.
function lost(current, code) {
  if (socket !== current) return; // an old socket, already replaced
  socket = null;
  stopTimers();
  if (current.readyState <= WebSocket.OPEN) current.close();
  if (stopped) return;
  if (FATAL_CODES.has(code)) {
    setStatus("signed-out");
    return;
  }
  setStatus(navigator.onLine === false ? "offline" : "reconnecting");
  clearTimeout(retryTimer);
  retryTimer = setTimeout(connect, backoff());
}

export function connect() {
  clearTimeout(retryTimer);
  const current = new WebSocket(socketUrl());
  socket = current;
  current.addEventListener("open", () => {
    clearInterval(pingTimer);
    pingTimer = setInterval(ping, HEARTBEAT_MS);
  });
  current.addEventListener("message", (message) => {
    if (socket !== current) return; // given up on: its news is stale
    // Anything from the server proves it is alive.
    clearTimeout(deadTimer);
    clearTimeout(answerTimer);
    deadTimer = null;
    answerTimer = null;
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
  current.addEventListener("close", (closeEvent) => lost(current, closeEvent.code));
}

// The network is gone: say so now, and drop the socket rather than wait
// for it to notice (it may take minutes).
window.addEventListener("offline", () => {
  if (stopped || status === "signed-out") return;
  if (socket) lost(socket);
  else setStatus("offline");
});

// Back online: try at once instead of waiting out the backoff.
window.addEventListener("online", () => {
  if (stopped || status === "signed-out") return;
  if (socket && socket.readyState <= WebSocket.OPEN) {
    ping(); // the socket may have died meanwhile: find out
    return;
  }
  attempt = 0;
  setStatus("reconnecting");
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
