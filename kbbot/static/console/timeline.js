// A handoff's conversation, entry by entry (messages and internal notes), as
// templates/staff/console/_entry.html renders it on the server.

import { answerNode, appendLinkedText, el, link } from "./dom.js";
import { decision, timeNode } from "./format.js";
import { labels } from "./labels.js";

// `page`: {customer, articleHref(slug)} of the handoff shown.
export function entryNode(entry, page) {
  const item = el("li", "entry entry-" + entry.role);
  item.setAttribute("data-entry", entry.kind + "-" + entry.id);
  item.setAttribute("data-testid", "entry-" + entry.role);
  const meta = el("p", "entry-meta");
  if (entry.role === "customer") {
    meta.appendChild(el("span", "entry-author", page.customer));
    if (entry.choice) {
      const picked = meta.appendChild(el("span", "tag", "Picked a suggestion"));
      picked.setAttribute("data-testid", "picked");
    }
  } else if (entry.role === "bot") {
    meta.appendChild(el("span", "entry-author", "Bot"));
    if (entry.action) {
      const tag = el(
        "span",
        "tag",
        decision(
          labels.actions[entry.action] || entry.action,
          entry.confidence,
          entry.section_confidence,
          entry.offer_reason === "customer_request" ? labels.reasons[entry.offer_reason] : null,
        ),
      );
      tag.setAttribute("data-testid", "decision");
      tag.title = "The bot's decision; its confidence that the article, and the section, answer";
      meta.appendChild(tag);
    }
    if (entry.helpful === true || entry.helpful === false) {
      meta.appendChild(
        el(
          "span",
          entry.helpful ? "tag tag-good" : "tag tag-bad",
          entry.helpful ? "Customer: helpful" : "Customer: not helpful",
        ),
      );
    }
  } else if (entry.role === "agent") {
    meta.appendChild(el("span", "entry-author", entry.author || "Support team"));
    meta.appendChild(el("span", "tag", "Agent reply"));
  } else {
    meta.appendChild(el("span", "tag tag-internal", "Internal note"));
    meta.appendChild(el("span", "entry-author", entry.author || "Staff"));
  }
  meta.appendChild(timeNode(entry.at));
  item.appendChild(meta);
  item.appendChild(entry.role === "bot" ? answerNode(entry.html) : appendLinkedText(el("div", "entry-text"), entry.text));
  if (entry.role === "bot" && entry.choices && entry.choices.length) {
    const choices = el("ul", "entry-choices");
    choices.setAttribute("aria-label", "Choices the bot offered");
    choices.setAttribute("data-testid", "choices-offered");
    for (const choice of entry.choices) {
      const row = el("li");
      const href = page.articleHref(choice.slug) + (choice.anchor ? "#" + choice.anchor : "");
      row.appendChild(link(href, choice.section || choice.title));
      if (choice.section) {
        row.appendChild(document.createTextNode(" "));
        row.appendChild(el("span", "sub", "in " + choice.title));
      }
      row.appendChild(document.createTextNode(" "));
      row.appendChild(el("span", "sub", choice.probability.toFixed(2)));
      choices.appendChild(row);
    }
    item.appendChild(choices);
  } else if (entry.role === "bot" && entry.sources && entry.sources.length) {
    const sources = el("ul", "entry-sources");
    sources.setAttribute("aria-label", "Articles the bot gave");
    for (const source of entry.sources) {
      sources.appendChild(el("li")).appendChild(link(page.articleHref(source.slug), source.title));
    }
    item.appendChild(sources);
  }
  if (entry.role === "bot" && entry.handoff_offered) {
    item.appendChild(el("p", "entry-offer", "Offered a person: " + (labels.reasons[entry.offer_reason] || "")));
  }
  return item;
}
