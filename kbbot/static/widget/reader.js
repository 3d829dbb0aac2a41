// Articles, read inside the widget: the reader opens at the section a link points to, and reports how
// long the visitor read, as the help center's pages do, for agents and reports.

import { api, ApiError, problemText } from "./api.js";
import { $, focusDefault, mode, SECTION_ID } from "./context.js";
import { copySafe, webUrl } from "./dom.js";
import { state } from "./state.js";

function mainView() {
  return $(mode === "articles" ? "kb-articles" : "kb-chat");
}

// Open an article in the reader, at its section `section` (a heading's id, from a link's #hash) if given.
export function showArticle(slug, returnTo, section) {
  stopReading();
  state.articleReturn = returnTo || null;
  const view = $("kb-article-view");
  const title = $("kb-article-title");
  const status = $("kb-article-status");
  mainView().hidden = true;
  view.hidden = false;
  title.textContent = "";
  $("kb-article-meta").textContent = "";
  $("kb-article-body").replaceChildren();
  $("kb-article-link").hidden = true;
  status.textContent = "Loading the article…";
  api("GET", "/articles/" + encodeURIComponent(slug)).then(
    (data) => {
      if (view.hidden) return;
      status.textContent = "";
      title.textContent = data.title;
      const updated = new Date(data.updated_at);
      if (!isNaN(updated)) {
        $("kb-article-meta").textContent =
          "Updated " + updated.toLocaleDateString(undefined, { year: "numeric", month: "long", day: "numeric" });
      }
      const at = SECTION_ID.test(section || "") ? section : "";
      const page = webUrl(data.url);
      if (page) {
        $("kb-article-link").href = page.href + (at ? "#" + at : "");
        $("kb-article-link").hidden = false;
      }
      const parsed = new DOMParser().parseFromString(data.html, "text/html");
      const body = document.createDocumentFragment();
      copySafe(parsed.body, body);
      $("kb-article-body").replaceChildren(body);
      view.querySelector(".kb-scroll").scrollTop = 0;
      const heading = at && $("kb-article-body").querySelector('[data-kb-section="' + at + '"]');
      if (heading) {
        heading.tabIndex = -1; // the reader opens where the answer came from, read from its heading
        heading.focus();
      } else {
        title.focus();
      }
      if (typeof data.view_id === "number") state.reading = { viewId: data.view_id, since: Date.now(), seconds: 0 };
    },
    (error) => {
      status.textContent =
        error instanceof ApiError && error.status === 404
          ? "Sorry, this article is not available."
          : "Sorry, we couldn't open this article. " + problemText(error);
      $("kb-article-back").focus();
    },
  );
}

export function closeArticle(moveFocus) {
  const view = $("kb-article-view");
  if (view.hidden) return;
  stopReading();
  view.hidden = true;
  mainView().hidden = false;
  if (!moveFocus) return;
  const back = state.articleReturn;
  if (back && document.contains(back)) back.focus();
  else focusDefault();
}

export function pauseReading() {
  if (state.reading && state.reading.since) {
    state.reading.seconds += (Date.now() - state.reading.since) / 1000;
    state.reading.since = null;
  }
}

export function stopReading(leavingPage) {
  if (!state.reading) return;
  pauseReading();
  const reading = state.reading;
  state.reading = null;
  const seconds = Math.min(Math.round(reading.seconds * 10) / 10, 86400);
  api("POST", "/views/" + reading.viewId, { seconds }, { keepalive: !!leavingPage }).catch(() => {});
}
