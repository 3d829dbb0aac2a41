// Agents' replies: while a person holds the conversation, the transcript is polled, often while the
// panel is open and the page visible, seldom otherwise (enough to count unread replies on the launcher).

import { api, ApiError, conversationPath, serial } from "./api.js";
import { applyConversation, forgetConversation } from "./conversation.js";
import { handoffActive, state } from "./state.js";

const POLL_OPEN_MS = 4000;
const POLL_CLOSED_MS = 15000;

export function schedulePoll() {
  clearTimeout(state.pollTimer);
  state.pollTimer = null;
  if (!state.conversationId || !handoffActive()) return;
  const delay = state.open && !document.hidden ? POLL_OPEN_MS : POLL_CLOSED_MS;
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
