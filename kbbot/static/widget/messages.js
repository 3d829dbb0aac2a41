// The conversation on screen: the customer's, the bot's and agents' messages, the sources and choices
// under an answer, "Helpful?", the typing indicator and the widget's own notes.

import { api, problemText } from "./api.js";
import { $, botName, SLUG } from "./context.js";
import { pickChoice, sendMessage } from "./conversation.js";
import { appendInline, button, copySafe, el, link, spokenText, webUrl } from "./dom.js";
import { showHandoffForm } from "./handoff.js";
import { setUnread } from "./host.js";
import { handoffActive, MAX_VOTES_KEPT, persist, state } from "./state.js";

export const list = $("kb-messages");
const scroller = $("kb-scroll");
const live = $("kb-live");

export function announce(text) {
  // Cleared first, so that the same words twice are announced twice.
  live.textContent = "";
  setTimeout(() => {
    live.textContent = text;
  }, 60);
}

const REVEAL_GAP_PX = 8; // room above a revealed message, so that its author's name shows

export function scrollToEnd() {
  if (scroller) scroller.scrollTop = scroller.scrollHeight;
}

// Brings `item` into view: all of it, and what follows, when that fits; otherwise its start, so that a
// long answer is read from the top rather than from its end. Only the scroll position changes: focus
// stays where it is. Nothing to measure while the panel is closed (the frame is not displayed).
export function reveal(item) {
  if (!scroller || !item || !item.isConnected) return;
  const top = item.getBoundingClientRect().top - scroller.getBoundingClientRect().top + scroller.scrollTop;
  scroller.scrollTop = Math.min(top - REVEAL_GAP_PX, scroller.scrollHeight - scroller.clientHeight);
}

function latestMessage() {
  const messages = list.querySelectorAll(".kb-msg");
  return messages[messages.length - 1] || null;
}

// The panel opened: the first reply that came while it was closed, or else the latest message.
export function revealOnOpen() {
  const item = state.firstUnread && state.firstUnread.isConnected ? state.firstUnread : latestMessage();
  state.firstUnread = null;
  if (item) reveal(item);
  else scrollToEnd();
}

export function revealLatest() {
  const item = latestMessage();
  if (item) reveal(item);
  else scrollToEnd();
}

function messageItem(role, author) {
  const item = el("li", "kb-msg kb-msg--" + role);
  item.setAttribute("data-testid", "message-" + role);
  item.appendChild(el("p", "kb-msg__author" + (role === "customer" ? " kb-visually-hidden" : ""), author));
  const bubble = el("div", "kb-msg__bubble");
  item.appendChild(bubble);
  list.appendChild(item);
  return { item, bubble };
}

export function note(text, testId, kind) {
  const item = el("li", "kb-note" + (kind ? " kb-note--" + kind : ""));
  item.setAttribute("data-testid", testId || "note");
  item.appendChild(el("p", "kb-note__text", text));
  list.appendChild(item);
  announce(text);
  scrollToEnd();
  return item;
}

export function renderCustomer(text, id) {
  retireChoices();
  const parts = messageItem("customer", "You");
  parts.bubble.appendChild(el("p", "kb-msg__text", text));
  if (id) {
    parts.item.setAttribute("data-message-id", id);
    state.shown[id] = true;
  }
  return parts.item;
}

function renderAgent(message, isNew) {
  const author = message.author || "Support team";
  const parts = messageItem("agent", author);
  parts.item.setAttribute("data-message-id", message.id);
  parts.item.firstChild.appendChild(el("span", "kb-msg__badge", "Support team"));
  // Plain text, as the agent wrote it; only its http(s) links become links.
  appendInline(parts.bubble.appendChild(el("p", "kb-msg__text")), message.text);
  if (isNew) announce(author + " says: " + spokenText(message.text));
  // New now, or new since the customer last had the panel open (restored after a page load).
  const unseen = isNew || (state.seen !== null && message.id > state.seen);
  if (unseen && !state.open) {
    if (!state.firstUnread) state.firstUnread = parts.item;
    setUnread(state.unread + 1);
  }
  return parts.item;
}

function sourceLinks(sources) {
  const box = el("div", "kb-sources");
  box.appendChild(el("p", "kb-sources__title", "Sources"));
  const items = el("ul", "kb-sources__list");
  for (const source of sources) {
    const url = webUrl(source.url);
    if (!url || typeof source.title !== "string") continue;
    const anchor = link(url, source.title, "kb-source");
    anchor.setAttribute("data-testid", "source-link");
    if (SLUG.test(source.slug)) anchor.setAttribute("data-slug", source.slug);
    items.appendChild(el("li")).appendChild(anchor);
  }
  box.appendChild(items);
  return box;
}

// What a choice reads as, and what the customer's message says when they pick it (as the server's
// conversations.choice_label): the section's heading, or the article's title for its introduction.
export function choiceLabel(choice) {
  return choice.section || choice.title;
}

const NONE_OF_THESE = "None of these";

// "Which of these?": sections of one article, or articles with their best section as a second line.
function choiceButtons(choices) {
  const group = el("div", "kb-suggest");
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", "Which of these?");
  group.setAttribute("data-testid", "choices");
  const articles = new Set(choices.map((choice) => choice.slug)).size > 1;
  for (const choice of choices) {
    if (!SLUG.test(choice.slug) || typeof choice.anchor !== "string" || typeof choice.title !== "string") continue;
    const option = button("kb-suggest__choice", null, "choice");
    const words = option.appendChild(el("span", "kb-suggest__words"));
    words.appendChild(el("span", null, articles ? choice.title : choiceLabel(choice)));
    if (articles && choice.section) words.appendChild(el("span", "kb-suggest__detail", choice.section));
    option.setAttribute("data-slug", choice.slug);
    option.setAttribute("data-anchor", choice.anchor);
    option.addEventListener("click", () => pickChoice(choice, group));
    group.appendChild(option);
  }
  // The way out when none fits: the bot takes it as the choices having failed and offers a person.
  const none = button("kb-suggest__none", NONE_OF_THESE, "choice-none");
  none.addEventListener("click", () => sendMessage(NONE_OF_THESE));
  group.appendChild(none);
  return group;
}

// Once the customer writes or picks, the choices on screen are out of date: hidden, not removed, so
// that a message that failed to send can bring them back. Returns those it hid.
export function retireChoices() {
  const shown = [...list.querySelectorAll("[data-testid=choices]")].filter((group) => !group.hidden);
  for (const group of shown) group.hidden = true;
  return shown;
}

function suggestChoices(sources) {
  const group = el("div", "kb-suggest");
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", "Suggested articles");
  for (const source of sources) {
    if (typeof source.title !== "string") continue;
    const choice = button("kb-suggest__choice", source.title, "suggest-choice");
    if (SLUG.test(source.slug)) choice.setAttribute("data-slug", source.slug);
    choice.addEventListener("click", () => sendMessage(source.title));
    group.appendChild(choice);
  }
  return group;
}

function helpfulControls(messageId) {
  const box = el("div", "kb-helpful");
  box.setAttribute("data-testid", "helpful");
  box.setAttribute("data-message-id", messageId);
  if (state.voted.includes(messageId)) {
    box.appendChild(el("p", "kb-helpful__thanks", "Thanks for your feedback."));
    return box;
  }
  box.setAttribute("role", "group");
  box.setAttribute("aria-label", "Was this answer helpful?");
  box.appendChild(el("span", "kb-helpful__label", "Helpful?"));
  const yes = button("kb-helpful__button", "Yes", "helpful-yes");
  const no = button("kb-helpful__button", "No", "helpful-no");
  yes.addEventListener("click", () => vote(messageId, true, box));
  no.addEventListener("click", () => vote(messageId, false, box));
  box.appendChild(yes);
  box.appendChild(no);
  return box;
}

function vote(messageId, helpful, box) {
  const buttons = box.querySelectorAll("button");
  buttons.forEach((each) => (each.disabled = true));
  api("POST", "/feedback", { message_id: messageId, helpful }).then(
    (data) => {
      state.voted = state.voted.concat([messageId]).slice(-MAX_VOTES_KEPT);
      persist();
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
      const thanks = helpful ? "Thanks! Glad that helped." : "Thanks for telling us.";
      box.replaceChildren(el("p", "kb-helpful__thanks", thanks));
      announce(thanks);
      if (!helpful && data && data.handoff_offered && !handoffActive()) {
        note("Sorry that didn't help. A person from our support team can take it from here.", "offer");
        showHandoffForm(true);
      }
    },
    (error) => {
      buttons.forEach((each) => (each.disabled = false));
      note(problemText(error), "error-note", "error");
    },
  );
}

// The answer as the server rendered it (`html`); its plain text if there is none.
function answerBody(message) {
  const body = el("div", "kb-msg__answer");
  if (typeof message.html === "string") {
    copySafe(new DOMParser().parseFromString(message.html, "text/html").body, body);
  } else {
    body.appendChild(el("p", "kb-msg__text", message.text));
  }
  return body;
}

export function renderBot(message, isNew) {
  const parts = messageItem("bot", botName);
  parts.item.setAttribute("data-message-id", message.id);
  parts.item.setAttribute("data-action", message.action || "");
  const answer = parts.bubble.appendChild(answerBody(message));
  const sources = Array.isArray(message.sources) ? message.sources : [];
  const choices = Array.isArray(message.choices) ? message.choices : [];
  // The server sends exactly the sources to show (conversations.shown_sources): what it records as seen.
  if (message.action === "answer") {
    if (sources.length) parts.bubble.appendChild(sourceLinks(sources));
    parts.item.appendChild(helpfulControls(message.id));
  } else if (message.action === "suggest" && choices.length) {
    parts.bubble.appendChild(choiceButtons(choices));
  } else if (message.action === "suggest" && sources.length) {
    parts.bubble.appendChild(suggestChoices(sources));
  }
  // The words as laid out (innerText: table cells apart), not the markup.
  if (isNew) announce(botName + ": " + answer.innerText);
  return parts.item;
}

// Returns the message's new item on screen, or null when none was added.
export function renderMessage(message, isNew) {
  if (!message || typeof message.id !== "number" || state.shown[message.id]) return null;
  if (typeof message.text !== "string") return null;
  state.shown[message.id] = true;
  if (message.role === "customer") {
    // Our own message, already on screen while it was being sent: give it its id.
    const pending = state.pendingCustomer[0];
    if (pending && pending.text === message.text) {
      state.pendingCustomer.shift();
      pending.item.setAttribute("data-message-id", message.id);
      return null;
    }
    return renderCustomer(message.text, message.id);
  } else if (message.role === "agent") {
    return renderAgent(message, isNew);
  } else if (message.role === "bot") {
    return renderBot(message, isNew);
  }
  return null;
}

export function showTyping(on) {
  state.inFlight += on ? 1 : -1;
  $("kb-typing").hidden = state.inFlight <= 0;
  scrollToEnd();
}
