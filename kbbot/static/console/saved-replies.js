// Saved replies in the composer: "/" and part of a shortcut in the reply box (at its start or after a
// space), or the "Saved replies" menu, list them, matched by shortcut and title; the arrow keys
// move, Enter or Tab inserts, Escape closes. The page carries each one already filled in for this
// handoff and agent (#saved-replies); the form's hidden field lists those inserted, counted as used
// when the reply is sent. Without this script the form's list and "Insert" button do the same.

import { $, el, say } from "./dom.js";

const TRIGGER = /(^|\s)\/([\w-]*)$/; // the text before the caret: "/" and the shortcut typed so far

// The replies matching `query`: shortcuts starting with it first, then shortcuts or titles holding it.
export function matching(replies, query) {
  const q = query.toLowerCase();
  const first = replies.filter((reply) => reply.shortcut.startsWith(q));
  const then = replies.filter(
    (reply) => !reply.shortcut.startsWith(q) && (reply.shortcut.includes(q) || reply.title.toLowerCase().includes(q)),
  );
  return [...first, ...then];
}

function optionNode(reply, index) {
  const option = el("li", "saved-reply-option");
  option.id = "saved-reply-option-" + index;
  option.setAttribute("role", "option");
  option.setAttribute("aria-selected", "false");
  option.appendChild(el("code", null, "/" + reply.shortcut));
  option.appendChild(el("span", "saved-reply-title", " " + reply.title));
  const preview = reply.text.length > 90 ? reply.text.slice(0, 87) + "…" : reply.text;
  option.appendChild(el("span", "saved-reply-preview", preview));
  return option;
}

export function initSavedReplies() {
  const box = $("saved-replies");
  const reply = $("reply-text");
  if (!box || !reply) return;
  const replies = JSON.parse(box.dataset.replies);
  const used = $("reply-saved_replies");
  const status = $("saved-replies-status");
  $("saved-replies-pick").hidden = true;

  const button = el("button", "saved-replies-button", "Saved replies");
  button.type = "button";
  button.setAttribute("aria-haspopup", "listbox");
  button.setAttribute("aria-expanded", "false");
  const popup = el("div", "saved-replies-popup");
  popup.hidden = true;
  const filter = el("input", "saved-replies-filter");
  filter.type = "text";
  filter.setAttribute("role", "combobox");
  filter.setAttribute("aria-label", "Find a saved reply");
  filter.setAttribute("aria-autocomplete", "list");
  filter.setAttribute("aria-expanded", "true");
  filter.setAttribute("aria-controls", "saved-replies-list");
  filter.placeholder = "Find by shortcut or title";
  const list = el("ul", "saved-replies-list");
  list.id = "saved-replies-list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Saved replies");
  const empty = el("p", "hint", "No saved reply matches.");
  popup.append(filter, list, empty);
  box.append(button, popup);
  reply.setAttribute("aria-autocomplete", "list");
  reply.setAttribute("aria-controls", "saved-replies-list");

  // While open: where the keys come from (the reply box or the menu's filter), the options, the active
  // one, and what an insertion replaces in the reply box.
  let open = null;

  function activate(index) {
    const options = list.children;
    if (!options.length) return;
    open.active = (index + options.length) % options.length;
    [...options].forEach((option, i) => option.setAttribute("aria-selected", String(i === open.active)));
    options[open.active].scrollIntoView({ block: "nearest" });
    open.input.setAttribute("aria-activedescendant", options[open.active].id);
  }

  function show(input, query, range) {
    const found = matching(replies, query);
    open = { input, found, range, active: 0 };
    list.replaceChildren(...found.map(optionNode));
    empty.hidden = found.length > 0;
    popup.hidden = false;
    filter.hidden = input !== filter;
    button.setAttribute("aria-expanded", String(input === filter));
    if (found.length) activate(0);
    else input.removeAttribute("aria-activedescendant");
    const count = found.length === 1 ? "1 saved reply" : found.length + " saved replies";
    say(status, count + (found.length ? ": up and down to choose, Enter to insert, Escape to close." : "."));
  }

  function close(focusBack) {
    if (!open) return;
    open.input.removeAttribute("aria-activedescendant");
    open = null;
    popup.hidden = true;
    button.setAttribute("aria-expanded", "false");
    if (focusBack) focusBack.focus();
  }

  function insert(chosen) {
    const [start, end] = open.range;
    close();
    reply.focus();
    reply.setRangeText(chosen.text, start, end, "end");
    const ids = new Set((used.value || "").split(" ").filter(Boolean));
    ids.add(String(chosen.id));
    used.value = [...ids].join(" ");
    reply.dispatchEvent(new Event("input", { bubbles: true })); // the already-seen check reads the draft
    const left = chosen.unfilled.length ? " Fill in before sending: " + chosen.unfilled.join(", ") + "." : "";
    say(status, "Inserted “" + chosen.title + "”." + left);
  }

  function onKey(event) {
    if (!open || event.target !== open.input) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      activate(open.active + (event.key === "ArrowDown" ? 1 : -1));
    } else if ((event.key === "Enter" || event.key === "Tab") && open.found.length && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      insert(open.found[open.active]);
    } else if (event.key === "Enter" && open.input === filter) {
      event.preventDefault(); // nothing matches: Enter in the filter must not send the reply
    } else if (event.key === "Escape") {
      event.preventDefault();
      close(open.input === filter ? button : null);
    }
  }

  reply.addEventListener("input", () => {
    const caret = reply.selectionStart;
    const typed = TRIGGER.exec(reply.value.slice(0, caret));
    if (typed && reply.selectionEnd === caret) show(reply, typed[2], [caret - typed[2].length - 1, caret]);
    else if (open && open.input === reply) close();
  });
  reply.addEventListener("keydown", onKey);
  reply.addEventListener("blur", () => open && open.input === reply && close());
  filter.addEventListener("input", () => show(filter, filter.value.trim(), open.range));
  filter.addEventListener("keydown", onKey);
  button.addEventListener("click", () => {
    if (open && open.input === filter) return close(button);
    filter.value = "";
    show(filter, "", [reply.selectionStart, reply.selectionEnd]);
    filter.focus();
  });
  // Picked with the mouse: mousedown would move the focus away (and close the list) before the click.
  list.addEventListener("mousedown", (event) => event.preventDefault());
  list.addEventListener("click", (event) => {
    const option = event.target.closest("[role=option]");
    if (option && open) insert(open.found[[...list.children].indexOf(option)]);
  });
  document.addEventListener("click", (event) => {
    if (open && open.input === filter && !box.contains(event.target)) close();
  });
}
