// What the widget remembers: the visitor token, the conversation and the votes in the iframe's own
// localStorage (partitioned by the host site in modern browsers), whether the panel was open in
// sessionStorage, and everything else for as long as the page lasts.

import { framed } from "./context.js";

const STORAGE_KEY = "kbbot.widget";
export const MAX_VOTES_KEPT = 50;

function storage(kind) {
  try {
    const store = window[kind];
    store.setItem("kbbot.probe", "1");
    store.removeItem("kbbot.probe");
    return store;
  } catch (error) {
    return null; // blocked storage: the conversation lasts as long as the page
  }
}

const local = storage("localStorage");
export const tab = storage("sessionStorage");

export function read(store) {
  try {
    const value = store ? JSON.parse(store.getItem(STORAGE_KEY)) : null;
    return value && typeof value === "object" ? value : {};
  } catch (error) {
    return {};
  }
}

export function write(store, value) {
  try {
    if (store) store.setItem(STORAGE_KEY, JSON.stringify(value));
  } catch (error) {
    /* full or blocked: keep going without */
  }
}

const saved = read(local);
export const state = {
  visitor: typeof saved.visitor === "string" ? saved.visitor : null,
  conversationId: typeof saved.conversationId === "string" ? saved.conversationId : null,
  // The newest message id on screen while the panel was open: agents' replies after it are unread
  // when the customer comes back. null for a conversation saved before this was kept: none counted.
  seen: Number.isInteger(saved.seen) ? saved.seen : null,
  voted: Array.isArray(saved.voted) ? saved.voted.filter(Number.isInteger).slice(-MAX_VOTES_KEPT) : [],
  open: !framed,
  cursor: 0, // the newest message id seen
  shown: {}, // message id -> true, for messages on screen
  pendingCustomer: [], // the customer's messages on screen whose id is not known yet
  handoff: null, // {id, status}
  ended: false,
  unread: 0,
  firstUnread: null, // the first agent reply on screen that came while the panel was closed
  inFlight: 0,
  identity: { name: "", email: "" },
  pollTimer: null,
  availability: null,
  reading: null, // {viewId, since}
  articleReturn: null,
};

export function persist() {
  write(local, { visitor: state.visitor, conversationId: state.conversationId, seen: state.seen, voted: state.voted });
}

// Everything on screen has been seen: the panel is open. Only forward, and not before the transcript
// is on screen (cursor 0 while it is being restored).
// The messages on screen count as seen, the newest polled one or the newest a reply put on screen
// (a customer may close the panel before the first poll after their message).
export function markSeen() {
  const newest = Math.max(state.cursor, ...Object.keys(state.shown).map(Number).filter(Number.isInteger));
  if (!state.conversationId || !newest || (state.seen !== null && newest <= state.seen)) return;
  state.seen = newest;
  persist();
}

export function handoffActive() {
  return !!state.handoff && state.handoff.status !== "resolved" && !state.ended;
}
