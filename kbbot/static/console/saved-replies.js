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

// The menu's nodes: the "Saved replies" button, and a popup with a filter (for the button) and the list.
function menuNodes(box) {
  const button = el("button", "saved-replies-button", "Saved replies");
  button.type = "button";
  button.setAttribute("aria-haspopup", "listbox");
  button.setAttribute("aria-expanded", "false");
  const popup = el("div", "saved-replies-popup");
  popup.hidden = true;
  const filter = el("input", "saved-replies-filter");
  filter.type = "text";
  filter.placeholder = "Find by shortcut or title";
  for (const [name, value] of [
    ["role", "combobox"],
    ["aria-label", "Find a saved reply"],
    ["aria-autocomplete", "list"],
    ["aria-expanded", "true"],
    ["aria-controls", "saved-replies-list"],
  ]) filter.setAttribute(name, value);
  const list = el("ul", "saved-replies-list");
  list.id = "saved-replies-list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Saved replies");
  const empty = el("p", "hint", "No saved reply matches.");
  popup.append(filter, list, empty);
  box.append(button, popup);
  return { button, popup, filter, list, empty };
}

class SavedReplyMenu {
  constructor(box, reply) {
    Object.assign(this, menuNodes(box), { box, reply, replies: JSON.parse(box.dataset.replies) });
    this.used = $("reply-saved_replies");
    this.status = $("saved-replies-status");
    // While open: where the keys come from (the reply box or the filter), the options, the active
    // one, and the part of the reply box an insertion replaces.
    this.open = null;
    reply.setAttribute("aria-autocomplete", "list");
    reply.setAttribute("aria-controls", "saved-replies-list");
  }

  activate(index) {
    const options = this.list.children;
    if (!options.length) return;
    this.open.active = (index + options.length) % options.length;
    [...options].forEach((option, i) => option.setAttribute("aria-selected", String(i === this.open.active)));
    options[this.open.active].scrollIntoView({ block: "nearest" });
    this.open.input.setAttribute("aria-activedescendant", options[this.open.active].id);
  }

  show(input, query, range) {
    const found = matching(this.replies, query);
    this.open = { input, found, range, active: 0 };
    this.list.replaceChildren(...found.map(optionNode));
    this.empty.hidden = found.length > 0;
    this.popup.hidden = false;
    this.filter.hidden = input !== this.filter;
    this.button.setAttribute("aria-expanded", String(input === this.filter));
    if (found.length) this.activate(0);
    else input.removeAttribute("aria-activedescendant");
    const count = found.length === 1 ? "1 saved reply" : found.length + " saved replies";
    say(this.status, count + (found.length ? ": up and down to choose, Enter to insert, Escape to close." : "."));
  }

  close(focusBack) {
    if (!this.open) return;
    this.open.input.removeAttribute("aria-activedescendant");
    this.open = null;
    this.popup.hidden = true;
    this.button.setAttribute("aria-expanded", "false");
    if (focusBack) focusBack.focus();
  }

  insert(chosen) {
    const [start, end] = this.open.range;
    this.close();
    this.reply.focus();
    this.reply.setRangeText(chosen.text, start, end, "end");
    const ids = new Set(this.used.value.split(" ").filter(Boolean));
    ids.add(String(chosen.id));
    this.used.value = [...ids].join(" ");
    this.reply.dispatchEvent(new Event("input", { bubbles: true })); // the already-seen check reads the draft
    const left = chosen.unfilled.length ? " Fill in before sending: " + chosen.unfilled.join(", ") + "." : "";
    say(this.status, "Inserted “" + chosen.title + "”." + left);
  }

  onKey(event) {
    const open = this.open;
    if (!open || event.target !== open.input) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      this.activate(open.active + (event.key === "ArrowDown" ? 1 : -1));
    } else if ((event.key === "Enter" || event.key === "Tab") && open.found.length && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      this.insert(open.found[open.active]);
    } else if (event.key === "Enter" && open.input === this.filter) {
      event.preventDefault(); // nothing matches: Enter in the filter must not send the reply
    } else if (event.key === "Escape") {
      event.preventDefault();
      this.close(open.input === this.filter ? this.button : null);
    }
  }

  onTyped() {
    const reply = this.reply;
    const caret = reply.selectionStart;
    const typed = TRIGGER.exec(reply.value.slice(0, caret));
    if (typed && reply.selectionEnd === caret) this.show(reply, typed[2], [caret - typed[2].length - 1, caret]);
    else if (this.open && this.open.input === reply) this.close();
  }

  onButton() {
    if (this.open && this.open.input === this.filter) return this.close(this.button);
    this.filter.value = "";
    this.show(this.filter, "", [this.reply.selectionStart, this.reply.selectionEnd]);
    this.filter.focus();
  }
}

export function initSavedReplies() {
  const box = $("saved-replies");
  const reply = $("reply-text");
  if (!box || !reply) return;
  $("saved-replies-pick").hidden = true;
  const menu = new SavedReplyMenu(box, reply);
  const onKey = (event) => menu.onKey(event);
  reply.addEventListener("input", () => menu.onTyped());
  reply.addEventListener("keydown", onKey);
  reply.addEventListener("blur", () => menu.open && menu.open.input === reply && menu.close());
  menu.filter.addEventListener("input", () => menu.open && menu.show(menu.filter, menu.filter.value.trim(), menu.open.range));
  menu.filter.addEventListener("keydown", onKey);
  menu.button.addEventListener("click", () => menu.onButton());
  // Picked with the mouse: mousedown would move the focus away (and close the list) before the click.
  menu.list.addEventListener("mousedown", (event) => event.preventDefault());
  menu.list.addEventListener("click", (event) => {
    const option = event.target.closest("[role=option]");
    if (option && menu.open) menu.insert(menu.open.found[[...menu.list.children].indexOf(option)]);
  });
  document.addEventListener("click", (event) => {
    if (menu.open && menu.open.input === menu.filter && !box.contains(event.target)) menu.close();
  });
}
