// A handoff's transcript, as the agent reads it: in the workspace's three panes it opens at the first message
// they have not seen (the "New messages" divider), else at the latest one if they read it before; "Jump to
// latest" shows while the view is not at the end, with how many messages came since; messages joining the
// timeline keep the view at the end when it was there. What the agent had on screen is marked read.

import { $ } from "./dom.js";

const NEAR_PX = 40; // this close to the end counts as at the end

function lastMessageId(timeline) {
  const entries = timeline.querySelectorAll('[data-entry^="message-"]');
  return entries.length ? Number(entries[entries.length - 1].getAttribute("data-entry").slice(8)) : 0;
}

export function initTranscript(root) {
  const region = $("transcript");
  const timeline = $("timeline");
  const jump = $("jump-latest");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  let marked = lastMessageId(timeline); // the server marked what it rendered
  let unseen = 0;

  // In the three panes the transcript scrolls on its own; stacked (narrower windows), the page does.
  const paned = () => ["auto", "scroll"].includes(getComputedStyle(region).overflowY);

  function atLatest() {
    const last = timeline.lastElementChild;
    if (!last) return true;
    const bottom = paned() ? region.getBoundingClientRect().bottom : window.innerHeight;
    return last.getBoundingClientRect().bottom <= bottom + NEAR_PX;
  }

  function markRead() {
    const id = lastMessageId(timeline);
    if (id <= marked) return;
    marked = id;
    fetch(root.getAttribute("data-read-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf },
      body: new URLSearchParams({ message_id: String(id) }),
    }).catch(() => {}); // read again on the next page load
  }

  function update() {
    if (atLatest()) {
      unseen = 0;
      markRead();
    }
    jump.textContent = unseen ? "Jump to latest (" + unseen + " new)" : "Jump to latest";
    jump.hidden = atLatest();
  }

  function toLatest() {
    if (paned()) region.scrollTop = region.scrollHeight;
    else if (timeline.lastElementChild) timeline.lastElementChild.scrollIntoView({ block: "end" });
    update();
  }

  if (paned()) {
    const divider = $("first-unread");
    if (divider) divider.scrollIntoView({ block: "start" });
    else if (root.hasAttribute("data-read-before")) toLatest();
  }
  jump.addEventListener("click", (event) => {
    event.preventDefault();
    toLatest();
  });
  (paned() ? region : window).addEventListener("scroll", update, { passive: true });
  window.addEventListener("resize", update);
  update();

  // `append()` adds entries to the timeline and returns how many; the view stays at the end when it was
  // there, else the jump says how many are new.
  return {
    keep(append) {
      const wasAtLatest = atLatest();
      const added = append();
      if (!added) return;
      if (wasAtLatest) toLatest();
      else {
        unseen += added;
        update();
      }
    },
  };
}
