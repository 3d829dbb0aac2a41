// Building the console's DOM safely: every node with DOM APIs and textContent, and only http(s) URLs
// become links. The one HTML from the API is a bot answer's, which the server rendered and sanitized
// (rendering.render_answer) for the page to show as it is.

import { LINK, UNESCAPE } from "../linked-text.js";

export const $ = (id) => document.getElementById(id);

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

export function webUrl(value) {
  try {
    const url = new URL(value, location.href);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch (error) {
    return null;
  }
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
  let last = 0;
  let match;
  LINK.lastIndex = 0;
  while ((match = LINK.exec(text))) {
    const href = webUrl(match[2] || match[3]);
    if (!href) continue;
    container.appendChild(document.createTextNode(text.slice(last, match.index)));
    container.appendChild(link(href, match[1] ? match[1].replace(UNESCAPE, "$1") : match[3], true));
    last = LINK.lastIndex;
  }
  container.appendChild(document.createTextNode(text.slice(last)));
  return container;
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
