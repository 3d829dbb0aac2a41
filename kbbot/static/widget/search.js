// Articles mode: searching the help center from the widget; a result opens in the reader.

import { api, problemText } from "./api.js";
import { $, SLUG } from "./context.js";
import { copySafe, el, isPlainClick, webUrl } from "./dom.js";
import { showArticle } from "./reader.js";

const SEARCH_LIMIT = 8;

function searchResult(result) {
  const url = webUrl(result.url);
  if (!url || !SLUG.test(result.slug) || typeof result.title !== "string") return null;
  const anchor = el("a", "kb-card kb-result");
  anchor.href = url.href;
  anchor.target = "_blank";
  anchor.rel = "noopener noreferrer";
  anchor.setAttribute("data-testid", "search-result");
  anchor.setAttribute("data-slug", result.slug);
  anchor.appendChild(el("span", "kb-result__title", result.title));
  let table = null;
  if (typeof result.snippet_html === "string" && result.snippet_html) {
    // Rows of a table read only as a table; it scrolls on its own, so it sits beside the link, not in it.
    table = el("div", "kb-result__table");
    copySafe(new DOMParser().parseFromString(result.snippet_html, "text/html").body, table);
  } else if (typeof result.snippet === "string" && result.snippet) {
    anchor.appendChild(el("span", "kb-result__snippet", result.snippet));
  }
  anchor.addEventListener("click", (event) => {
    if (!isPlainClick(event)) return;
    event.preventDefault();
    showArticle(result.slug, anchor);
  });
  const item = el("li");
  item.appendChild(anchor);
  if (table) item.appendChild(table);
  return item;
}

export function search(query) {
  const status = $("kb-search-status");
  const section = $("kb-results-section");
  const suggested = $("kb-suggested");
  if (!query) {
    section.hidden = true;
    status.textContent = "";
    if (suggested) suggested.hidden = false;
    return;
  }
  status.textContent = "Searching…";
  api("GET", "/search?q=" + encodeURIComponent(query) + "&limit=" + SEARCH_LIMIT).then(
    (data) => {
      const items = (data.results || []).map(searchResult).filter(Boolean);
      $("kb-search-results").replaceChildren(...items);
      section.hidden = items.length === 0;
      if (suggested) suggested.hidden = items.length > 0;
      // Against the API's own `query` (whitespace normalized), not the text as typed.
      const corrected = typeof data.searched_for === "string" && data.searched_for !== data.query;
      status.textContent = items.length
        ? items.length + (items.length === 1 ? " article found" : " articles found") +
          (corrected ? " for “" + data.searched_for + "”." : ".")
        : "No articles match “" + query + "”. Try other words.";
    },
    (error) => {
      status.textContent = problemText(error);
    },
  );
}
