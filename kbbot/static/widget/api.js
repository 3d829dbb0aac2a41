// The JSON API on the frame's own origin. The signed visitor token goes back on every call
// (X-Kbbot-Visitor): third-party cookies are often blocked in an iframe.

import { apiBase } from "./context.js";
import { persist, state } from "./state.js";

export class ApiError {
  constructor(status, problem) {
    this.status = status;
    this.problem = problem;
  }
}

export function api(method, path, body, options) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (state.visitor) headers["X-Kbbot-Visitor"] = state.visitor;
  return fetch(apiBase + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
    cache: "no-store",
    keepalive: !!(options && options.keepalive),
  }).then((response) => {
    const token = response.headers.get("X-Kbbot-Visitor");
    if (token && token !== state.visitor) {
      state.visitor = token;
      persist();
    }
    if (response.status === 204) return null;
    return response.json().then(
      (data) => {
        if (!response.ok) throw new ApiError(response.status, data);
        return data;
      },
      () => {
        throw new ApiError(response.status, null);
      },
    );
  });
}

// Calls that read or change the transcript run one at a time, so that a poll and a question
// never interleave and the cursor only moves forward.
let queue = Promise.resolve();
export function serial(task) {
  const run = queue.then(task);
  queue = run.catch(() => {});
  return run;
}

export function problemText(error) {
  if (!(error instanceof ApiError)) return "We couldn't reach our server. Check your connection and try again.";
  if (error.status === 413) return "That message is too long. Please make it shorter.";
  if (error.status === 429) return "That was a lot at once. Please wait a moment and try again.";
  return "Something went wrong on our side. Please try again.";
}

export function conversationPath(suffix) {
  return "/conversations/" + encodeURIComponent(state.conversationId) + (suffix || "");
}
