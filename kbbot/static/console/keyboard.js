// Keyboard shortcuts of the agent console, ignored while typing in a field: in the queue j/k move
// the focus between handoffs (Enter opens the focused one); on a handoff's page r goes to the reply
// box, n to the note box, e to the resolution choice (resolving still takes the Resolve button);
// ? lists them in a dialog (Esc closes it, the focus goes back where it was).

import { $, el } from "./dom.js";

const SHORTCUTS = [
  ["j", "Next handoff in the queue"],
  ["k", "Previous handoff in the queue"],
  ["Enter", "Open the handoff"],
  ["r", "Reply to the customer"],
  ["n", "Write an internal note"],
  ["e", "Resolve: choose the resolution"],
  ["?", "Show these shortcuts"],
  ["Esc", "Close this list"],
];

function inField(target) {
  return !!(target.closest && target.closest("input, textarea, select, [contenteditable]:not([contenteditable='false'])"));
}

function moveInQueue(step) {
  // Only the queue on screen: the workspace's pane is hidden in narrower windows.
  const links = [...document.querySelectorAll("#queue-rows tr[data-handoff-id] a.queue-customer")].filter(
    (link) => link.getClientRects().length,
  );
  if (!links.length) return false;
  const current = links.findIndex((link) => link.closest("tr").contains(document.activeElement));
  const next = current === -1 ? (step > 0 ? 0 : links.length - 1) : Math.min(Math.max(current + step, 0), links.length - 1);
  links[next].focus();
  links[next].closest("tr").scrollIntoView({ block: "nearest" });
  return true;
}

function focusField(selector) {
  const field = document.querySelector(selector);
  if (!field) return false;
  field.focus();
  field.scrollIntoView({ block: "center" });
  return true;
}

let dialog = null;

function helpDialog() {
  if (dialog) return dialog;
  dialog = el("dialog", "shortcuts");
  dialog.id = "shortcuts";
  dialog.setAttribute("aria-labelledby", "shortcuts-title");
  const title = el("h2", null, "Keyboard shortcuts");
  title.id = "shortcuts-title";
  const list = el("dl", "shortcut-list");
  for (const [key, what] of SHORTCUTS) {
    const term = el("dt");
    term.appendChild(el("kbd", null, key));
    list.append(term, el("dd", null, what));
  }
  const close = el("button", null, "Close");
  close.type = "button";
  close.addEventListener("click", () => dialog.close());
  dialog.append(title, list, close);
  document.body.appendChild(dialog);
  return dialog;
}

function showHelp() {
  const opener = document.activeElement;
  const shown = helpDialog();
  shown.addEventListener("close", () => opener && opener.focus && opener.focus(), { once: true });
  shown.showModal();
}

const ACTIONS = {
  j: () => moveInQueue(1),
  k: () => moveInQueue(-1),
  r: () => !!$("handoff") && focusField("#reply textarea"),
  n: () => !!$("handoff") && focusField("#note textarea"),
  e: () => !!$("handoff") && focusField("#resolve-reason"),
  "?": () => {
    showHelp();
    return true;
  },
};

export function initKeyboard() {
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || inField(event.target)) return;
    if (dialog && dialog.open) return; // the dialog has the keyboard: Esc closes it
    const action = Object.hasOwn(ACTIONS, event.key) ? ACTIONS[event.key] : null;
    if (action && action()) event.preventDefault();
  });
}
