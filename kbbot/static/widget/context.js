// The frame page's settings, from the data attributes the server put on #kb-app, the elements every
// part of the widget reaches for, and the shapes of values from the API or the host page.

export const $ = (id) => document.getElementById(id);

export const app = $("kb-app");
export const mode = app.getAttribute("data-mode");
export const apiBase = app.getAttribute("data-api");
export const hostOrigin = app.getAttribute("data-host-origin");
export const pageUrl = app.getAttribute("data-page-url");
export const maxChars = parseInt(app.getAttribute("data-max-message-chars"), 10) || 2000;
export const framed = window.parent !== window && !!hostOrigin;
export const botName = $("kb-title").textContent.trim() + " assistant";
export const input = $("kb-input"); // the chat's composer; null in articles mode

export const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const SECTION_ID = /^section-[a-z0-9-]+$/; // the id of an article's heading, as the server gives it

export function autoGrow() {
  input.style.height = "auto";
  input.style.height = Math.min(input.scrollHeight, 140) + "px";
}

export function focusDefault() {
  if (!$("kb-article-view").hidden) $("kb-article-title").focus();
  else if (mode === "articles") $("kb-search").focus();
  else input.focus();
}
