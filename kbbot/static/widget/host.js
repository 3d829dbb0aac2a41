// The host page: messages to it go only to the host origin the server validated (data-host-origin);
// messages from it are accepted only from that origin and window, and only of an allowed type.

import { $, autoGrow, focusDefault, framed, hostOrigin, input, maxChars, mode, SLUG } from "./context.js";
import { sendMessage } from "./conversation.js";
import { fillIdentity } from "./handoff.js";
import { revealOnOpen } from "./messages.js";
import { schedulePoll } from "./polling.js";
import { closeArticle, pauseReading, showArticle } from "./reader.js";
import { search } from "./search.js";
import { markSeen, state, tab, write } from "./state.js";

const COLOR = /^#[0-9a-f]{6}$/i;

export function tellHost(message) {
  if (framed) window.parent.postMessage(message, hostOrigin);
}

export function themeColor(name) {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return COLOR.test(value) ? value : null;
}

export function requestClose() {
  tellHost({ type: "kbbot:request-close" });
}

export function listenToHost() {
  window.addEventListener("message", (event) => {
    if (!framed || event.source !== window.parent || event.origin !== hostOrigin) return;
    const data = event.data;
    if (!data || typeof data !== "object" || typeof data.type !== "string") return;
    if (data.type === "kbbot:opened") panelOpened(data.focus === true);
    else if (data.type === "kbbot:closed") panelClosed();
    else if (data.type === "kbbot:ask" && typeof data.text === "string") askFromHost(data.text);
    else if (data.type === "kbbot:prefill" && typeof data.text === "string") prefill(data.text);
    else if (data.type === "kbbot:show-article" && typeof data.slug === "string" && SLUG.test(data.slug))
      showArticle(data.slug, null);
    else if (data.type === "kbbot:identify") identify(data);
  });
}

function panelOpened(moveFocus) {
  state.open = true;
  write(tab, { open: true });
  setUnread(0);
  revealOnOpen();
  markSeen();
  if (moveFocus) focusDefault();
  if (state.reading && !state.reading.since) state.reading.since = Date.now();
  schedulePoll();
}

function panelClosed() {
  markSeen();
  state.open = false;
  write(tab, { open: false });
  pauseReading();
  schedulePoll();
}

export function setUnread(count) {
  if (count === state.unread) return;
  state.unread = count;
  tellHost({ type: "kbbot:unread", count });
}

function identify(person) {
  if (typeof person.name === "string") state.identity.name = person.name.trim().slice(0, 200);
  if (typeof person.email === "string") state.identity.email = person.email.trim().slice(0, 320);
  fillIdentity();
}

function askFromHost(text) {
  text = text.trim().slice(0, maxChars);
  if (!text) return;
  closeArticle(false);
  if (mode === "articles") {
    $("kb-search").value = text;
    search(text);
  } else {
    sendMessage(text);
  }
}

function prefill(text) {
  text = text.trim().slice(0, maxChars);
  closeArticle(false);
  if (mode === "articles") {
    askFromHost(text);
    return;
  }
  input.value = text;
  autoGrow();
  input.focus();
  input.setSelectionRange(text.length, text.length);
}
