// The end: CSAT, CES (then NPS when due), then the conversation is closed; and the header's controls,
// which follow where the conversation stands.

import { api, ApiError, conversationPath, problemText, serial } from "./api.js";
import { $, input } from "./context.js";
import { forgetConversation } from "./conversation.js";
import { button } from "./dom.js";
import { announce, list, note, scrollToEnd } from "./messages.js";
import { handoffActive, state } from "./state.js";

export function offerSurvey(moveFocus) {
  if (!state.conversationId) return;
  let existing = $("kb-survey");
  if (!existing) {
    list.appendChild(document.importNode($("kb-survey-template").content, true));
    existing = $("kb-survey");
    for (const option of existing.querySelectorAll("[data-score]")) {
      option.addEventListener("click", () =>
        answerSurvey({ kind: "csat", score: parseInt(option.getAttribute("data-score"), 10) }, showEffortQuestion),
      );
    }
    for (const option of existing.querySelectorAll("[data-choice]")) {
      option.addEventListener("click", () =>
        answerSurvey({ kind: "ces", choice: option.getAttribute("data-choice") }, (answered) => {
          if (answered && answered.ask_nps) showNpsQuestion();
          else finishSurvey();
        }),
      );
    }
    for (const option of existing.querySelectorAll("[data-nps]")) {
      option.addEventListener("click", () =>
        answerSurvey({ kind: "nps", score: parseInt(option.getAttribute("data-nps"), 10) }, finishSurvey),
      );
    }
    $("kb-survey-skip").addEventListener("click", () => {
      existing.remove();
      endConversation();
    });
  }
  scrollToEnd();
  if (moveFocus) {
    const current = ["kb-csat", "kb-ces", "kb-nps"].find((id) => !$(id).hidden);
    if (current) $(current + "-question").focus();
  }
}

function answerSurvey(answer, next) {
  const step = $("kb-" + answer.kind);
  const buttons = step.querySelectorAll("button");
  buttons.forEach((each) => (each.disabled = true));
  answer.conversation_id = state.conversationId;
  api("POST", "/surveys", answer).then(next, (error) => {
    if (error instanceof ApiError && error.status === 409) return next(); // answered before a reload
    buttons.forEach((each) => (each.disabled = false));
    note(problemText(error), "error-note", "error");
  });
}

function showEffortQuestion() {
  $("kb-csat").hidden = true;
  $("kb-ces").hidden = false;
  $("kb-ces-question").focus();
  scrollToEnd();
}

// Asked at most once per visitor in 90 days (the server says when): about us, not this chat.
function showNpsQuestion() {
  $("kb-ces").hidden = true;
  $("kb-nps").hidden = false;
  $("kb-nps-question").focus();
  scrollToEnd();
}

function finishSurvey() {
  $("kb-ces").hidden = true;
  $("kb-nps").hidden = true;
  $("kb-survey-skip").remove();
  const thanks = $("kb-survey-thanks");
  thanks.hidden = false;
  thanks.focus();
  announce(thanks.textContent);
  endConversation();
}

function endConversation() {
  if (!state.conversationId) return;
  serial(() => api("POST", conversationPath("/end"))).then(
    () => {
      forgetConversation();
      const ended = note("This chat has ended. Ask a new question any time.", "ended-note");
      const again = button("kb-button kb-button--quiet", "Start a new chat", "new-chat");
      again.id = "kb-new-chat";
      again.addEventListener("click", startOver);
      ended.appendChild(again);
      scrollToEnd();
      if (!document.activeElement || document.activeElement === document.body) input.focus();
    },
    (error) => note(problemText(error), "error-note", "error"),
  );
}

function startOver() {
  while (list.children.length > 1) list.removeChild(list.lastChild); // keep the greeting
  state.pendingCustomer = [];
  forgetConversation();
  input.focus();
}

export function updateChrome() {
  const endChat = $("kb-end-chat");
  if (endChat) endChat.hidden = !state.conversationId || state.ended;
  const talk = $("kb-talk-to-person");
  const status = $("kb-handoff-status");
  if (talk && status) {
    const waiting = handoffActive();
    talk.hidden = waiting;
    status.hidden = !waiting;
    status.textContent = !waiting
      ? ""
      : state.handoff.status === "assigned"
        ? "A person from our team is on it and will reply here."
        : "Our team has your request and will reply here.";
  }
}
