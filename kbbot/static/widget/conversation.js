// The chat: sending the customer's messages and picks, adopting the server's turns, and restoring a
// conversation after a reload of the host page.

import { api, ApiError, conversationPath, problemText, serial } from "./api.js";
import { input, maxChars, pageUrl } from "./context.js";
import { showHandoffForm } from "./handoff.js";
import { choiceLabel, list, note, renderBot, renderCustomer, renderMessage, retireChoices, reveal, revealLatest, scrollToEnd, showTyping } from "./messages.js";
import { poll, schedulePoll } from "./polling.js";
import { handoffActive, markSeen, persist, state } from "./state.js";
import { offerSurvey, updateChrome } from "./survey.js";
import { showAgentTyping } from "./typing.js";

const LOCALE = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;

export function applyConversation(data, isNew) {
  const wasResolved = !!state.handoff && state.handoff.status === "resolved";
  let firstNew = null;
  for (const message of data.messages || []) {
    const item = renderMessage(message, isNew);
    if (!firstNew) firstNew = item;
  }
  state.cursor = Math.max(state.cursor, data.cursor || 0);
  state.handoff = data.handoff || null;
  state.ended = !!data.ended;
  showAgentTyping(!!data.agent_typing);
  if (isNew && firstNew && state.open) reveal(firstNew);
  if (state.open) markSeen();
  if (isNew && !wasResolved && state.handoff && state.handoff.status === "resolved") {
    note("Our team has marked your request as solved.", "resolved-note");
    offerSurvey(false);
  }
  updateChrome();
}

function chatBody(text, choice) {
  const body = { message: text };
  if (choice) body.choice = { slug: choice.slug, anchor: choice.anchor };
  if (state.conversationId) body.conversation_id = state.conversationId;
  if (pageUrl) body.page_url = pageUrl;
  const locale = navigator.language;
  if (typeof locale === "string" && locale.length <= 35 && LOCALE.test(locale)) body.locale = locale;
  return body;
}

export function postChat(text) {
  return api("POST", "/chat", chatBody(text)).catch((error) => {
    if (!(error instanceof ApiError) || error.status !== 404 || !state.conversationId) throw error;
    forgetConversation(); // gone, or no longer ours (a new visitor token): start afresh
    return api("POST", "/chat", chatBody(text));
  });
}

// A person holds the conversation: the bot stayed silent, and message_id is the customer's.
function isSilent(data) {
  return data.action === "handoff" && !data.handoff_offered;
}

// Whether the customer was told since the last reply that their messages wait for a person:
// once is enough while they add details.
function waitingNoted() {
  for (let item = list.lastElementChild; item; item = item.previousElementSibling) {
    const kind = item.getAttribute("data-testid");
    if (kind === "waiting-note") return true;
    if (kind === "message-bot" || kind === "message-agent") return false;
  }
  return false;
}

export function adoptTurn(data) {
  if (data.conversation_id !== state.conversationId) {
    state.conversationId = data.conversation_id;
    state.seen = 0;
    state.ended = false;
    persist();
  }
  state.handoff = data.handoff || null;
  state.shown[data.message_id] = true;
  if (isSilent(data)) {
    const pending = state.pendingCustomer.shift();
    if (pending) pending.item.setAttribute("data-message-id", data.message_id);
  } else if (!state.handoff) {
    // Nobody else writes here before a handoff: everything up to the bot's reply is on screen.
    state.cursor = Math.max(state.cursor, data.message_id);
    state.pendingCustomer.shift();
  }
  // Otherwise an agent may have replied meanwhile: the next poll fetches everything after the old
  // cursor, and gives the customer's message on screen its id.
}

export function sendMessage(text) {
  text = text.trim();
  if (!text) return;
  if (text.length > maxChars) {
    note("That message is too long. Please make it shorter.", "error-note", "error");
    return;
  }
  if (state.ended) forgetConversation();
  converse(
    text,
    () => postChat(text),
    () => {
      if (!input.value) input.value = text;
    },
  );
}

// A click on one of the bot's choices: the customer's pick, then the bot answers with that section.
export function pickChoice(choice, group) {
  if (!state.conversationId || state.ended) return;
  const buttons = group.querySelectorAll("button");
  buttons.forEach((each) => (each.disabled = true));
  converse(
    choiceLabel(choice),
    () => api("POST", "/chat", chatBody("", choice)),
    () => buttons.forEach((each) => (each.disabled = false)),
  );
}

// The customer's message on screen at once, `post` sends it; then the bot's reply, or a note that
// it waits for a person. `undo` puts things back when it could not be sent.
function converse(text, post, undo) {
  const retired = retireChoices();
  const item = renderCustomer(text);
  item.classList.add("kb-msg--pending");
  const pending = { text, item };
  state.pendingCustomer.push(pending);
  showTyping(true);
  serial(post).then(
    (data) => {
      showTyping(false);
      item.classList.remove("kb-msg--pending");
      adoptTurn(data);
      let answer = null;
      if (isSilent(data)) {
        if (!waitingNoted()) note(data.answer, "waiting-note");
      } else {
        answer = renderBot(
          {
            id: data.message_id,
            text: data.answer,
            html: data.answer_html,
            action: data.action,
            sources: data.sources,
            choices: data.choices,
          },
          true,
        );
        if (data.handoff_offered && !handoffActive()) showHandoffForm(false);
      }
      if (answer) reveal(answer);
      else scrollToEnd();
      updateChrome();
      if (handoffActive()) poll();
    },
    (error) => {
      showTyping(false);
      state.pendingCustomer = state.pendingCustomer.filter((each) => each !== pending);
      item.remove();
      for (const group of retired) group.hidden = false;
      undo();
      note(problemText(error) + " Your message was not sent.", "error-note", "error");
    },
  );
}

export function forgetConversation() {
  state.conversationId = null;
  state.seen = null;
  state.cursor = 0;
  state.shown = {};
  state.handoff = null;
  state.ended = false;
  clearTimeout(state.pollTimer);
  persist();
  updateChrome();
}

export function restore() {
  serial(() => api("GET", conversationPath("?after=0"))).then(
    (data) => {
      if (data.ended) {
        forgetConversation();
        return;
      }
      applyConversation(data, false);
      const last = data.messages[data.messages.length - 1];
      if (last && last.role === "bot" && last.handoff_offered && !state.handoff) showHandoffForm(false);
      if (state.handoff && state.handoff.status === "resolved") offerSurvey(false);
      revealLatest();
      schedulePoll();
    },
    (error) => {
      if (error instanceof ApiError && error.status === 404) forgetConversation();
    },
  );
}
