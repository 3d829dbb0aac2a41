// What the customer does in the help center while waiting (read, searched): it joins "Since the handoff".

import { $, el, link, say } from "./dom.js";
import { duration, relativeTo, timeAgo, timeNode } from "./format.js";
import { labels } from "./labels.js";

function activityKey(kind, at, name) {
  return kind + "-" + Math.floor(new Date(at).getTime() / 1000) + "-" + (name || "");
}

function activityNode(item, page) {
  const node = el("li", "activity activity-" + item.kind);
  node.setAttribute("data-testid", item.kind === "view" ? "viewed-article" : "search");
  const what = node.appendChild(el("p", "activity-what"));
  const how = node.appendChild(el("p", "activity-how"));
  if (item.kind === "view") {
    what.appendChild(el("span", "tag", "Read"));
    what.appendChild(document.createTextNode(" "));
    const title = item.title || item.slug || "An article";
    what.appendChild(item.slug ? link(page.articleHref(item.slug), title) : document.createTextNode(title));
    how.textContent =
      (item.seconds !== null ? "for " + duration(item.seconds) : "time on page not reported") + ", " +
      (labels.via[item.via] || "way in unknown") + (item.during_conversation ? " (during the chat)" : "");
  } else {
    what.appendChild(el("span", "tag", "Searched"));
    what.appendChild(document.createTextNode(" “" + (item.query || "") + "”"));
    if (item.results === 0) how.appendChild(el("strong", "no-results", "No results"));
    else if (item.results !== null) how.textContent = item.results + (item.results === 1 ? " result" : " results");
    if (item.top_results.length) {
      how.appendChild(document.createTextNode(", first:"));
      const results = node.appendChild(el("ul", "activity-results"));
      for (const result of item.top_results) {
        results.appendChild(el("li")).appendChild(link(page.articleHref(result.slug), result.title));
      }
    }
  }
  const when = node.appendChild(el("p", "activity-when"));
  when.appendChild(timeNode(item.at));
  when.appendChild(document.createTextNode(", "));
  const ago = when.appendChild(el("span", null, timeAgo(new Date(item.at), new Date())));
  ago.setAttribute("data-ago", item.at);
  when.appendChild(document.createTextNode(" (" + relativeTo(new Date(item.at), page.handedOffAt) + ")"));
  return node;
}

// `page`: {customer, handedOffAt, articleHref(slug), live} of the handoff shown; `context`: the staff
// API's handoff context.
export function showNewActivity(page, context) {
  const section = $("activity-after");
  const list = $("activity-after-list");
  const shownKeys = new Set([...list.querySelectorAll("[data-activity]")].map((node) => node.getAttribute("data-activity")));
  const items = [
    ...context.viewed_articles.map((view) => ({ kind: "view", key: activityKey("view", view.at, view.slug), ...view })),
    ...context.searches.map((search) => ({ kind: "search", key: activityKey("search", search.at, search.query), ...search })),
  ]
    .filter((item) => !item.before_handoff && !shownKeys.has(item.key))
    .sort((a, b) => new Date(a.at) - new Date(b.at));
  for (const item of items) {
    const node = activityNode(item, page);
    node.setAttribute("data-activity", item.key);
    node.classList.add("is-new");
    list.appendChild(node);
  }
  if (items.length) {
    section.hidden = false;
    say(page.live, page.customer + " is using the help center: see “Since the handoff”.");
  }
}
