// Building the console's DOM safely (what it shares with the widget: ../dom.js): every node with DOM
// APIs and textContent, and only http(s) URLs become links. The one HTML from the API is a bot
// answer's, which the server rendered and sanitized (rendering.render_answer) for the page to show as
// it is.

import { appendLinkedText as appendLinked, el, webUrl as webUrlOf } from "../dom.js";

export { el };

export const $ = (id) => document.getElementById(id);

// An http(s) URL's href, resolved against the page; null for anything else.
export function webUrl(value) {
  const url = webUrlOf(value);
  return url ? url.href : null;
}

export function link(href, text, noReferrer) {
  const anchor = el("a", null, text);
  anchor.href = href;
  anchor.target = "_blank";
  anchor.rel = noReferrer ? "noopener noreferrer" : "noopener";
  return anchor;
}

// Text people wrote, with its http(s) links (bare or Markdown) made clickable; everything else stays text.
export function appendLinkedText(container, text) {
  return appendLinked(container, text, (url, words) => link(url.href, words, true));
}

// A bot answer: the server's sanitized HTML (the `html` of a transcript entry), parsed inert.
export function answerNode(html) {
  const node = el("div", "entry-answer");
  const parsed = new DOMParser().parseFromString(html, "text/html");
  node.append(...parsed.body.childNodes);
  return node;
}

export function say(node, text) {
  // Cleared first, so that the same words twice are announced twice.
  node.textContent = "";
  setTimeout(() => {
    node.textContent = text;
  }, 50);
}
