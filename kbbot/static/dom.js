// Building the DOM safely, for the widget and the agent console alike: every node with DOM APIs and
// textContent, and only http(s) URLs become links.

import { LINK, UNESCAPE } from "./linked-text.js";

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

// `value` as a URL of the web (http(s), or mailto too where `allowMail`) resolved against the page; null otherwise.
export function webUrl(value, allowMail) {
  try {
    const url = new URL(value, location.href);
    const ok = url.protocol === "https:" || url.protocol === "http:" || (allowMail && url.protocol === "mailto:");
    return ok ? url : null;
  } catch (error) {
    return null;
  }
}

// Text people wrote into `container`, its http(s) links (bare or Markdown) as `makeLink(url, words)`;
// everything else stays text.
export function appendLinkedText(container, text, makeLink) {
  let last = 0;
  let match;
  LINK.lastIndex = 0;
  while ((match = LINK.exec(text))) {
    const url = webUrl(match[2] || match[3]);
    if (!url) continue;
    container.appendChild(document.createTextNode(text.slice(last, match.index)));
    container.appendChild(makeLink(url, match[1] ? match[1].replace(UNESCAPE, "$1") : match[3]));
    last = LINK.lastIndex;
  }
  container.appendChild(document.createTextNode(text.slice(last)));
  return container;
}
