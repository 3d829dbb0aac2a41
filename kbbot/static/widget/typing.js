// Typing, both ways, while a person holds the conversation: the customer's typing is reported to the
// agents (POST /conversations/<id>/typing, at most every 2.5 s while they type; never in the
// transcript), and "Support is typing…" shows while an agent types, as the poll's answer says
// (`agent_typing`).

import { api, conversationPath } from "./api.js";
import { $, input } from "./context.js";
import { handoffActive, state } from "./state.js";

const REPORT_EVERY_MS = 2500;
let reportedAt = 0;

export function reportTyping() {
  if (!state.conversationId || !handoffActive() || !input.value.trim()) return;
  if (Date.now() - reportedAt < REPORT_EVERY_MS) return;
  reportedAt = Date.now();
  api("POST", conversationPath("/typing")).catch(() => {}); // a lost report only hides a hint
}

export function showAgentTyping(on) {
  const note = $("kb-agent-typing");
  const text = on && handoffActive() ? "Support is typing…" : "";
  if (note.textContent !== text) note.textContent = text;
}
