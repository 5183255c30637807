// The one way the browser talks to the REST API (/api/v1): its URLs, the
// CSRF token a cookie session needs on every write, JSON both ways, and
// errors as ApiError with the server's own {"error": "..."} message.
//
// Uploads keep XMLHttpRequest for their progress bar (fetch has no upload
// progress), but take their URL and headers from here too.

// Where the API lives: the conversation list names it (data-api); every
// other page uses the same root.
const ROOT = document.querySelector("[data-api]")?.dataset.api || "/api/v1/";

/** A request the server refused (`status` > 0) or that never got there (0). */
export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

/**
 * Return the CSRF token: Django's cookie when it can be read, else the one
 * every signed-in page renders in its sign-out form.
 */
export function csrfToken() {
  const cookie = document.cookie.split("; ").find((pair) => pair.startsWith("csrftoken="));
  if (cookie) return decodeURIComponent(cookie.slice("csrftoken=".length));
  return document.querySelector("[name=csrfmiddlewaretoken]")?.value || "";
}

/** Return the headers a write needs (fetch or XMLHttpRequest). */
export function writeHeaders() {
  return { "X-CSRFToken": csrfToken() };
}

const query = (params) => {
  const pairs = Object.entries(params).filter(([, value]) => value !== undefined && value !== null);
  return pairs.length ? `?${new URLSearchParams(pairs)}` : "";
};

// The endpoints the pages use, by what they are about.
export const urls = {
  conversations: () => `${ROOT}conversations`,
  conversation: (id) => `${ROOT}conversations/${id}`,
  members: (id) => `${ROOT}conversations/${id}/members`,
  history: (id, { before, limit } = {}) => `${ROOT}conversations/${id}/messages${query({ before, limit })}`,
  attachments: (id) => `${ROOT}conversations/${id}/attachments`,
  message: (id) => `${ROOT}messages/${id}`,
  thread: (id) => `${ROOT}messages/${id}/thread`,
  people: (q) => `${ROOT}people${query({ q })}`,
  presence: (ids) => `${ROOT}presence?users=${ids.join(",")}`,
};

/** Return the error a failed response stands for, with the server's words. */
export async function errorFrom(response, fallback) {
  const body = await response.json().catch(() => ({}));
  return new ApiError(body.error || `${fallback} (error ${response.status}).`, response.status);
}

/**
 * Send a request and return the answer's JSON (null for 204).
 *
 * `body`, if given, goes as JSON. Throws ApiError: with the server's message
 * and status for a refusal, with status 0 when the network failed; an
 * AbortError (from `signal`) passes through as it is.
 */
export async function request(method, url, { body, signal, fallback = "The request failed" } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") Object.assign(headers, writeHeaders());
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers,
      signal,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(`${fallback}: check your connection and try again.`, 0);
  }
  if (!response.ok) throw await errorFrom(response, fallback);
  return response.status === 204 ? null : response.json();
}

export const get = (url, options) => request("GET", url, options);
export const post = (url, body, options) => request("POST", url, { ...options, body });
export const patch = (url, body, options) => request("PATCH", url, { ...options, body });
