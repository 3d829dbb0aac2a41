// Suggested articles beside a handoff: what the customer already saw flagged, "Insert link" into the
// reply, a warning when the draft links an article they already saw, and searching without leaving
// the page.

import { $, answerNode, el, link, say, webUrl } from "./dom.js";
import { duration, relativeTo } from "./format.js";
import { labels } from "./labels.js";
import { api } from "./polling.js";

const ARTICLE_LINK = /\/articles\/([a-z0-9]+(?:-[a-z0-9]+)*)(?![a-z0-9-])/g;

function seenPhrase(seen, handedOffAt) {
  let words = labels.seen[seen.how] + " " + relativeTo(new Date(seen.at), handedOffAt);
  if (seen.how === "read") {
    if (seen.seconds !== null) words += ", for " + duration(seen.seconds);
    if (labels.via[seen.via]) words += ", " + labels.via[seen.via];
  }
  return words;
}

function insertButton(item) {
  const button = el("button", "insert-link", "Insert link");
  button.type = "button";
  button.setAttribute("data-testid", "insert-link");
  button.appendChild(el("span", "visually-hidden", " to “" + item.getAttribute("data-title") + "” in the reply"));
  const flag = item.querySelector(".seen-flag");
  if (flag) button.setAttribute("aria-describedby", flag.id);
  item.appendChild(button);
}

// `page`: {root, customer, handedOffAt, articleHref(slug)} of the handoff shown.
export function initSuggestions(page) {
  const reply = $("reply-text");
  const warning = $("reply-warning");
  const list = $("suggestions");
  const seenBySlug = new Map(); // slug -> {title, phrases}: what the customer already saw, for the draft check

  function rememberSeen(slug, title, phrases) {
    if (phrases.length) seenBySlug.set(slug, { title, phrases });
  }

  function suggestionNode(article) {
    const item = el("li", "suggestion" + (article.seen.length ? " suggestion-seen" : ""));
    item.setAttribute("data-testid", "suggestion");
    item.setAttribute("data-slug", article.slug);
    item.setAttribute("data-title", article.title);
    item.setAttribute("data-url", article.url);
    const title = el("p", "suggestion-title");
    title.appendChild(link(webUrl(article.url) || page.articleHref(article.slug), article.title));
    item.appendChild(title);
    if (article.seen.length) {
      const flag = el("div", "seen-flag");
      flag.id = "seen-" + article.slug;
      flag.setAttribute("data-testid", "already-seen");
      const read = article.seen.some((seen) => seen.how === "read");
      const heading = el("p");
      heading.appendChild(el("strong", null, read ? "Already read by the customer" : "Already sent to the customer"));
      flag.appendChild(heading);
      const items = el("ul");
      const phrases = article.seen.map((seen) => seenPhrase(seen, page.handedOffAt));
      for (const phrase of phrases) items.appendChild(el("li", null, phrase));
      flag.appendChild(items);
      item.appendChild(flag);
      rememberSeen(article.slug, article.title, phrases);
    }
    if (article.snippet_html) {
      const table = answerNode(article.snippet_html); // rows of a table read only as a table
      table.classList.add("suggestion-snippet");
      item.appendChild(table);
    } else {
      const snippet = article.snippet.length > 220 ? article.snippet.slice(0, 217) + "..." : article.snippet;
      item.appendChild(el("p", "suggestion-snippet", snippet));
    }
    if (reply) insertButton(item);
    return item;
  }

  function checkDraft() {
    if (!reply || !warning) return;
    const found = [];
    let match;
    ARTICLE_LINK.lastIndex = 0;
    while ((match = ARTICLE_LINK.exec(reply.value))) {
      const seen = seenBySlug.get(match[1]);
      if (seen && !found.includes(seen)) found.push(seen);
    }
    warning.textContent = found
      .map((seen) => page.customer + " already saw “" + seen.title + "”: " + seen.phrases.join("; ") + ".")
      .join(" ");
  }

  function insertLink(item) {
    const text = "[" + item.getAttribute("data-title") + "](" + item.getAttribute("data-url") + ")";
    const start = reply.selectionStart;
    const end = reply.selectionEnd;
    const before = reply.value.slice(0, start);
    const spaced = (before && !/\s$/.test(before) ? " " : "") + text;
    reply.setRangeText(spaced, start, end, "end");
    reply.focus();
    checkDraft();
  }

  for (const item of list.querySelectorAll(".suggestion")) {
    const phrases = [...item.querySelectorAll(".seen-flag li")].map((node) => node.textContent);
    rememberSeen(item.getAttribute("data-slug"), item.getAttribute("data-title"), phrases);
    item.querySelector(".suggestion-link").hidden = true; // the button replaces copying the URL
    if (reply) insertButton(item);
  }

  list.addEventListener("click", (event) => {
    const button = event.target.closest("button.insert-link");
    if (button && reply) insertLink(button.closest(".suggestion"));
  });

  const query = $("article-query");
  const status = $("suggestions-for");
  $("article-search").addEventListener("submit", (event) => {
    event.preventDefault();
    const q = query.value.trim();
    const url = page.root.getAttribute("data-suggestions-api") + (q ? "?q=" + encodeURIComponent(q) : "");
    status.textContent = "Searching…";
    api(url).then(
      (data) => {
        list.replaceChildren(...data.articles.map(suggestionNode));
        $("suggestions-empty").hidden = data.articles.length > 0;
        say(
          status,
          (q ? "Results for “" + q + "”" : "From the customer's questions") +
            ": " + data.articles.length + (data.articles.length === 1 ? " article." : " articles."),
        );
      },
      () => {
        status.textContent = "The search failed. Try again.";
      },
    );
  });

  if (reply) {
    reply.addEventListener("input", checkDraft);
    reply.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) reply.form.requestSubmit();
    });
  }
}
