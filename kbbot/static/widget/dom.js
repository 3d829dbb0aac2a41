// Building the DOM safely. Nothing from the API or the host is inserted as HTML: text goes in with
// textContent, links only for http(s) URLs, and article bodies and the bot's answers (Markdown the
// server rendered and sanitized: rendering.render_answer) are rebuilt element by element from an
// allow-list. What it shares with the agent console (el, webUrl, links in text): ../dom.js.

import { appendLinkedText, el, webUrl } from "../dom.js";
import { LINK, UNESCAPE } from "../linked-text.js";
import { SECTION_ID } from "./context.js";
import { showArticle } from "./reader.js";

export { el, webUrl };

const ARTICLE_PATH = /\/articles\/([a-z0-9]+(?:-[a-z0-9]+)*)\/?$/;

export function button(className, text, testId) {
  const node = el("button", className, text);
  node.type = "button";
  if (testId) node.setAttribute("data-testid", testId);
  return node;
}

function articleSlugOf(url) {
  const match = url.origin === location.origin && ARTICLE_PATH.exec(url.pathname);
  return match ? match[1] : null;
}

export function isPlainClick(event) {
  return event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey;
}

// A link that opens in a new tab, or, for one of our own articles, inside the widget.
export function link(url, text, className) {
  const anchor = el("a", className || "kb-link", text);
  anchor.href = url.href;
  anchor.target = "_blank";
  anchor.rel = "noopener noreferrer";
  const slug = articleSlugOf(url);
  if (slug) {
    anchor.addEventListener("click", (event) => {
      if (!isPlainClick(event)) return;
      event.preventDefault();
      showArticle(slug, anchor, url.hash.slice(1));
    });
  }
  return anchor;
}

// Plain text; Markdown links and bare URLs to http(s) become links, nothing else.
export function appendInline(block, text) {
  appendLinkedText(block, text, (url, words) => link(url, words));
}

export function spokenText(text) {
  return text.replace(LINK, (whole, title, url, bare) => (title ? title.replace(UNESCAPE, "$1") : bare));
}

const ALLOWED_TAGS = new Set([
  "A", "BLOCKQUOTE", "BR", "CODE", "EM", "H1", "H2", "H3", "H4", "H5", "H6", "HR", "IMG",
  "LI", "OL", "P", "PRE", "STRONG", "TABLE", "TBODY", "TD", "TH", "THEAD", "TR", "UL",
]);
// The article's title is the reader's h2, so its own headings move one level down.
const HEADING_LEVEL = { H1: "h3", H2: "h3", H3: "h4", H4: "h5", H5: "h6", H6: "h6" };

// A second allow-list after the server's: each element is rebuilt, never the markup itself.
export function copySafe(from, to) {
  for (const node of from.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) {
      to.appendChild(document.createTextNode(node.data));
      continue;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) continue;
    const tag = node.tagName;
    if (!ALLOWED_TAGS.has(tag)) {
      if (tag !== "SCRIPT" && tag !== "STYLE" && tag !== "TEMPLATE") copySafe(node, to);
      continue;
    }
    let copy;
    if (tag === "A") {
      const url = webUrl(node.getAttribute("href") || "", true);
      copy = url ? link(url, undefined, "kb-link") : el("span");
      if (node.getAttribute("title")) copy.title = node.getAttribute("title");
    } else if (tag === "IMG") {
      const source = webUrl(node.getAttribute("src") || "");
      if (!source) continue;
      copy = el("img");
      copy.src = source.href;
      copy.alt = node.getAttribute("alt") || "";
      copy.loading = "lazy";
    } else {
      copy = document.createElement(HEADING_LEVEL[tag] || tag.toLowerCase());
      const align = node.getAttribute("align");
      if ((tag === "TD" || tag === "TH") && /^(left|center|right)$/.test(align || "")) copy.setAttribute("align", align);
      if (tag === "PRE") copy.tabIndex = 0; // wide code scrolls: keyboard users need to reach it
      const id = node.getAttribute("id") || "";
      if (/^H[1-6]$/.test(tag) && SECTION_ID.test(id)) copy.setAttribute("data-kb-section", id); // a link's #section
    }
    copySafe(node, copy);
    to.appendChild(tag === "TABLE" ? tableScroll(copy) : copy);
  }
}

// A wide table scrolls sideways in a box of its own, which keyboard users can focus to scroll.
function tableScroll(table) {
  const box = el("div", "kb-table-scroll");
  box.setAttribute("role", "region");
  box.setAttribute("aria-label", "Table");
  box.tabIndex = 0;
  box.appendChild(table);
  return box;
}
