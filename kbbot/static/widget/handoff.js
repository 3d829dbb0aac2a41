// Handing off to a person: the form for the customer's email (one form, moved to the end of the
// conversation), today's availability, and the request itself.

import { api, ApiError, conversationPath, problemText, serial } from "./api.js";
import { $, input } from "./context.js";
import { adoptTurn, forgetConversation, postChat } from "./conversation.js";
import { list, note, renderCustomer, scrollToEnd } from "./messages.js";
import { schedulePoll } from "./polling.js";
import { handoffActive, state } from "./state.js";
import { updateChrome } from "./survey.js";

const TALK_TO_PERSON = "I'd like to talk to a person.";
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function loadAvailability() {
  const notice = $("kb-handoff-notice");
  if (state.availability) {
    notice.textContent = state.availability.notice;
    return;
  }
  api("GET", "/availability").then(
    (data) => {
      if (!data || typeof data.notice !== "string") return;
      state.availability = data;
      const current = $("kb-handoff-notice");
      if (current) current.textContent = data.notice;
    },
    () => {},
  );
}

export function fillIdentity() {
  const email = $("kb-handoff-email");
  const name = $("kb-handoff-name");
  if (email && !email.value) email.value = state.identity.email;
  if (name && !name.value) name.value = state.identity.name;
}

function fieldError(text) {
  const message = $("kb-handoff-email-error");
  const email = $("kb-handoff-email");
  message.textContent = text || "";
  message.hidden = !text;
  if (text) email.setAttribute("aria-invalid", "true");
  else email.removeAttribute("aria-invalid");
}

export function showHandoffForm(moveFocus) {
  if (handoffActive()) {
    note("Our team already has your request; a person will reply here.", "waiting-note");
    return;
  }
  let form = $("kb-handoff-form");
  if (form) {
    list.appendChild(form.parentNode); // one form, moved to the end of the conversation
  } else {
    list.appendChild(document.importNode($("kb-handoff-template").content, true));
    form = $("kb-handoff-form");
    form.addEventListener("submit", submitHandoff);
    $("kb-handoff-cancel").addEventListener("click", () => {
      form.parentNode.remove();
      input.focus();
    });
  }
  fillIdentity();
  loadAvailability();
  scrollToEnd();
  if (moveFocus) $("kb-handoff-email").focus();
}

function ensureConversation() {
  if (state.conversationId && !state.ended) return Promise.resolve();
  if (state.ended) forgetConversation();
  const item = renderCustomer(TALK_TO_PERSON);
  state.pendingCustomer.push({ text: TALK_TO_PERSON, item });
  return postChat(TALK_TO_PERSON).then((data) => {
    adoptTurn(data);
    state.shown[data.message_id] = true; // the bot's offer: the form on screen answers it
  });
}

function submitHandoff(event) {
  event.preventDefault();
  const form = event.target;
  const email = $("kb-handoff-email").value.trim();
  const name = $("kb-handoff-name").value.trim();
  const message = $("kb-handoff-message").value.trim();
  const formError = $("kb-handoff-error");
  formError.hidden = true;
  if (!EMAIL.test(email)) {
    fieldError(email ? "Enter a valid email address, like name@example.com." : "Enter your email address.");
    $("kb-handoff-email").focus();
    return;
  }
  fieldError("");
  const submit = $("kb-handoff-submit");
  submit.disabled = true;
  submit.textContent = "Sending…";
  serial(() => ensureConversation().then(() => api("POST", conversationPath("/handoff"), { email, name, message }))).then(
    (data) => {
      state.handoff = { id: data.id, status: data.status };
      form.parentNode.remove();
      const notice = data.availability && typeof data.availability.notice === "string" ? data.availability.notice : "";
      const thanks = "Thanks" + (name ? ", " + name : "") + "! Our support team has your conversation. " + notice;
      note(thanks.trim(), "handoff-confirmation", "success");
      updateChrome();
      input.focus();
      schedulePoll();
    },
    (error) => {
      submit.disabled = false;
      submit.textContent = "Send to our team";
      const errors = (error instanceof ApiError && error.problem && error.problem.errors) || [];
      if (errors.some((each) => each.field === "email")) {
        fieldError("Enter a valid email address, like name@example.com.");
        $("kb-handoff-email").focus();
      } else {
        formError.textContent = problemText(error);
        formError.hidden = false;
      }
    },
  );
}
