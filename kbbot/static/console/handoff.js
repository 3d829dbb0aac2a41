// A handoff's page, live: new messages and notes join the timeline, the customer's help-center
// activity joins "Since the handoff", and a change of status or assignee is shown and announced.

import { showNewActivity } from "./activity.js";
import { $, say } from "./dom.js";
import { refreshAgo } from "./format.js";
import { labels } from "./labels.js";
import { api, poll } from "./polling.js";
import { initSavedReplies } from "./saved-replies.js";
import { initSuggestions } from "./suggestions.js";
import { entryNode } from "./timeline.js";
import { initTranscript } from "./transcript.js";

function statusText(handoff) {
  let text = labels.statuses[handoff.status];
  if (handoff.resolution_reason) text += ": " + labels.resolutions[handoff.resolution_reason];
  return text;
}

export function initHandoff(root) {
  const timeline = $("timeline");
  const articleUrl = root.getAttribute("data-article-url");
  const me = root.getAttribute("data-me");
  const page = {
    root,
    customer: root.getAttribute("data-customer"),
    handedOffAt: new Date(root.getAttribute("data-handed-off-at")),
    articleHref: (slug) => articleUrl.replace(/SLUG$/, encodeURIComponent(slug)),
    live: $("handoff-live"),
  };
  let shown = { status: root.getAttribute("data-status"), assignee: root.getAttribute("data-assignee") };
  const transcript = initTranscript(root);

  function refresh() {
    return api(root.getAttribute("data-api")).then((context) => {
      const entries = [
        ...context.transcript.map((entry) => ({ kind: "message", ...entry })),
        ...context.notes.map((note) => ({ kind: "note", role: "note", ...note })),
      ].sort((a, b) => new Date(a.at) - new Date(b.at));
      let fromCustomer = 0;
      transcript.keep(() => {
        let added = 0;
        for (const entry of entries) {
          if (timeline.querySelector('[data-entry="' + entry.kind + "-" + entry.id + '"]')) continue;
          const node = entryNode(entry, page);
          node.classList.add("is-new");
          timeline.appendChild(node);
          added += 1;
          if (entry.role === "customer") fromCustomer += 1;
        }
        return added;
      });
      if (fromCustomer) say(page.live, "New message from " + page.customer + ".");
      showNewActivity(page, context);

      const handoff = context.handoff;
      if (handoff.status !== shown.status || (handoff.assignee || "") !== shown.assignee) {
        shown = { status: handoff.status, assignee: handoff.assignee || "" };
        $("handoff-status").textContent = statusText(handoff);
        $("handoff-status").className = "status status-" + handoff.status;
        $("handoff-assignee").textContent = handoff.assignee
          ? "Assigned to " + (handoff.assignee === me ? "you" : handoff.assignee)
          : "Not assigned";
        say(page.live, "This handoff changed (" + statusText(handoff) + "). Reload the page for its actions.");
      }
      refreshAgo();
    });
  }

  initSuggestions(page);
  initSavedReplies();
  poll(refresh, (message) => say(page.live, message));
}
