// The handoff queue, live: counts on the tabs, new handoffs marked and announced (the title's count
// is presence.js's, for every staff page).

import { $, el, say } from "./dom.js";
import { due, duration } from "./format.js";
import { labels } from "./labels.js";
import { api, poll } from "./polling.js";

const LONG_WAIT_SECONDS = 900;
const QUEUE_QUERIES = {
  open: "status=open",
  mine: "status=assigned&mine=1",
  all: "",
  resolved: "status=resolved",
};

// The tab's query with the page's filters (tag, priority), as the staff API takes them.
function queueQuery(tab, filters) {
  const query = new URLSearchParams(QUEUE_QUERIES[tab]);
  for (const [name, value] of Object.entries(filters)) if (value) query.set(name, value);
  return query.toString() ? "?" + query.toString() : "";
}

// The handoff's page, keeping the list's tab and filters (`handoffUrl`: handoff 0's); an unread handoff the
// agent opened before at where their reading stopped.
function handoffHref(handoffUrl, entry) {
  const url = new URL(handoffUrl, window.location.href);
  url.pathname = url.pathname.replace(/0$/, String(entry.id));
  url.hash = entry.unread && entry.opened ? "first-unread" : "";
  return url.pathname + url.search + url.hash;
}

// `page`: {me, handoffUrl, current: the id of the handoff shown beside the list, or null}.
function queueRow(entry, page) {
  const current = String(entry.id) === page.current;
  const row = el("tr", [entry.breached ? "is-overdue" : "", current ? "is-current" : ""].join(" ").trim() || null);
  row.setAttribute("data-handoff-id", entry.id);

  const who = el("td", "queue-who");
  if (entry.unread) {
    const dot = el("span", "unread-dot");
    dot.title = "New messages";
    dot.setAttribute("data-testid", "queue-unread");
    dot.appendChild(el("span", "visually-hidden", "New messages: "));
    who.appendChild(dot);
  }
  const anchor = el("a", "queue-customer", entry.name || entry.email);
  anchor.href = handoffHref(page.handoffUrl, entry);
  if (current) anchor.setAttribute("aria-current", "page");
  who.appendChild(anchor);
  if (entry.name) who.appendChild(el("span", "sub", entry.email));
  row.appendChild(who);

  const question = el("td", "queue-question");
  question.appendChild(el("span", "queue-question-text", entry.question || "(no question)"));
  if (entry.tags.length) {
    const tags = el("span", "queue-tags");
    tags.setAttribute("data-testid", "queue-tags");
    for (const tag of entry.tags) tags.append(el("span", "tag", tag), " ");
    question.append(" ", tags);
  }
  row.appendChild(question);
  row.appendChild(el("td", "queue-reason", labels.reasons[entry.reason] || entry.reason));
  const priority = el("td", "queue-priority");
  const priorityLabel = labels.priorities[entry.priority] || entry.priority;
  const badge = el("span", "priority priority-" + entry.priority, priorityLabel);
  badge.setAttribute("data-testid", "queue-priority");
  priority.appendChild(badge);
  row.appendChild(priority);

  const waited = el("td", "queue-due");
  if (entry.breached !== null) {
    const dueClass = "due" + (entry.breached ? " due-breached" : "");
    const when = el("span", dueClass, due(entry.breached, entry.due_seconds));
    when.setAttribute("data-testid", "queue-due");
    waited.appendChild(when);
  }
  if (entry.first_reply_at) {
    waited.appendChild(el("span", "waited", "Replied after " + duration(entry.waiting_seconds)));
  } else {
    const long = entry.waiting_seconds >= LONG_WAIT_SECONDS ? " waiting-long" : "";
    waited.appendChild(el("span", "waiting" + long, "Waiting " + duration(entry.waiting_seconds)));
  }
  row.appendChild(waited);

  const assignee = el("td", "queue-assignee");
  if (entry.assignee) assignee.textContent = entry.assignee === page.me ? "You" : entry.assignee;
  else assignee.appendChild(el("span", "sub", "Nobody"));
  row.appendChild(assignee);

  const status = el("td", "queue-status");
  const statusText = entry.status.charAt(0).toUpperCase() + entry.status.slice(1);
  status.appendChild(el("span", "status status-" + entry.status, statusText));
  row.appendChild(status);
  return row;
}

export function initQueue(root) {
  const tab = root.getAttribute("data-tab");
  const shownHandoff = $("handoff");
  const page = {
    me: root.getAttribute("data-me"),
    handoffUrl: root.getAttribute("data-handoff-url"),
    current: shownHandoff ? shownHandoff.getAttribute("data-handoff-id") : null,
  };
  const url = root.getAttribute("data-api") + queueQuery(tab, JSON.parse(root.getAttribute("data-filters")));
  const rows = $("queue-rows");
  const empty = $("queue-empty");
  const live = $("queue-live");
  const known = new Set([...rows.querySelectorAll("tr[data-handoff-id]")].map((row) => row.getAttribute("data-handoff-id")));
  let shown = [];

  function refresh() {
    // The handoff page hides its queue pane below 1280 px: nobody sees it, so it is not fetched.
    if (!root.getClientRects().length) return Promise.resolve();
    return api(url).then((data) => {
      const counts = {
        open: data.counts.open,
        mine: data.assigned_to_me,
        all: data.counts.open + data.counts.assigned + data.counts.resolved,
        resolved: data.counts.resolved,
      };
      for (const [key, count] of Object.entries(counts)) {
        const node = root.querySelector('[data-count="' + key + '"]');
        if (node) node.textContent = String(count);
      }
      let fresh = 0;
      const built = data.handoffs.map((entry) => {
        const row = queueRow(entry, page);
        if (!known.has(String(entry.id))) {
          fresh += 1;
          row.classList.add("is-new");
          known.add(String(entry.id));
        }
        return row;
      });
      const now = built.map((row) => row.getAttribute("data-handoff-id") + ":" + row.textContent);
      if (now.join("\n") !== shown.join("\n")) {
        // Rebuilt only when something changed; keyboard focus stays on the same handoff's link.
        const focused = rows.contains(document.activeElement) && document.activeElement.closest("tr");
        const focusedId = focused && focused.getAttribute("data-handoff-id");
        rows.replaceChildren(...built);
        const again = focusedId && rows.querySelector('tr[data-handoff-id="' + focusedId + '"] a');
        if (again) again.focus();
        shown = now;
      }
      empty.hidden = built.length > 0;
      if (fresh) say(live, fresh === 1 ? "1 new handoff." : fresh + " new handoffs.");
    });
  }

  poll(refresh, (message) => say(live, message));
}
