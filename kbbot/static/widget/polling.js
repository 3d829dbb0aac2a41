// Agents' replies: while a person holds the conversation, the transcript is polled every 2 s while the
// page is visible, open or closed, so that a reply shows within 3 s (p95, bench/handoff_latency.py); seldom
// while the page is hidden (it polls at once when it is shown again). Polling, not server-sent events:
// an event stream would hold one of the server's few threads per waiting customer (gunicorn 2 x 4), and
// a poll with nothing new is one indexed query (GET /conversations/<id>?after=<cursor>, not rate-limited).

import { api, ApiError, conversationPath, serial } from "./api.js";
import { applyConversation, forgetConversation } from "./conversation.js";
import { handoffActive, state } from "./state.js";

const POLL_VISIBLE_MS = 2000;
const POLL_HIDDEN_MS = 15000;

export function schedulePoll() {
  clearTimeout(state.pollTimer);
  state.pollTimer = null;
  if (!state.conversationId || !handoffActive()) return;
  const delay = document.hidden ? POLL_HIDDEN_MS : POLL_VISIBLE_MS;
  state.pollTimer = setTimeout(poll, delay);
}

export function poll() {
  clearTimeout(state.pollTimer);
  if (!state.conversationId) return;
  serial(() => api("GET", conversationPath("?after=" + state.cursor)).then((data) => applyConversation(data, true)))
    .catch((error) => {
      if (error instanceof ApiError && error.status === 404) forgetConversation();
    })
    .then(schedulePoll);
}
