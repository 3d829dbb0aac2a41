// Presence, live: heartbeats to /staff/presence/heartbeat (every 20 s, every 4 s on the queue and a
// handoff's page, and at once when the agent starts typing), and what their answer says: the title's count of the
// handoffs that concern the agent, a browser notification for each one new to them (when allowed),
// the team's presence, and on a handoff's page the other agents on it and the customer typing.

import { $, el } from "./dom.js";

const BEAT_MS = 20000;
const CONSOLE_BEAT_MS = 4000; // the queue and a handoff's page: notifications and collisions show fast
const TYPED_FOR_MS = 5000; // a keypress counts as typing this long
const TYPING_BEAT_MS = 2500; // at most one extra heartbeat this often while typing
const SEEN_KEY = "kbbot.staff.alerts"; // alerts already notified, in this tab's session storage
const MAX_SEEN = 200;
const LABELS = { online: "Online", away: "Away", offline: "Offline" };
const ACTIVITY = { viewing: " is viewing", replying: " is replying" };

function readSeen() {
  try {
    const stored = JSON.parse(sessionStorage.getItem(SEEN_KEY));
    return Array.isArray(stored) ? stored : null;
  } catch {
    return null;
  }
}

// Notifies once per handoff newly concerning the agent; the first answer in a tab only learns what
// is there already, so that opening a page raises nothing.
function notifier(queueUrl) {
  const stored = readSeen();
  const seen = new Set(stored || []);
  let learning = stored === null;
  return (alerts) => {
    const fresh = alerts.filter((alert) => !seen.has(alert.handoff_id + ":" + alert.kind));
    for (const alert of fresh) seen.add(alert.handoff_id + ":" + alert.kind);
    try {
      sessionStorage.setItem(SEEN_KEY, JSON.stringify([...seen].slice(-MAX_SEEN)));
    } catch {
      // storage full or off: notifications may repeat after a reload
    }
    if (learning) {
      learning = false;
      return;
    }
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    for (const alert of fresh.slice(0, 3)) {
      const title = alert.kind === "assigned" ? "Handoff assigned to you" : "New handoff waiting";
      const note = new Notification(title, { body: alert.customer, tag: "kbbot-handoff-" + alert.handoff_id });
      note.onclick = () => {
        window.focus();
        window.location.href = queueUrl + alert.handoff_id;
      };
    }
  };
}

// The button that asks for notifications: shown only while the browser may still ask, and it asks on
// the agent's click, never on its own.
function offerNotifications() {
  const button = $("notifications-on");
  if (!("Notification" in window) || Notification.permission !== "default") return;
  button.hidden = false;
  button.addEventListener("click", () => {
    Notification.requestPermission().then(() => {
      button.hidden = Notification.permission === "default";
    });
  });
}

function showTeam(team) {
  const list = $("team-presence");
  if (!list) return;
  const items = team.map((member) => {
    const item = el("li");
    item.setAttribute("data-agent", member.id);
    item.append(el("span", "presence presence-" + member.state, LABELS[member.state]), " " + member.name);
    return item;
  });
  if (items.map((item) => item.textContent).join("\n") !== [...list.children].map((item) => item.textContent).join("\n")) {
    list.replaceChildren(...items);
  }
}

function setText(node, text) {
  if (node && node.textContent !== text) node.textContent = text;
}

// The notes a handoff's page shows: who else is on it, and the customer typing.
function handoffNotes() {
  const collision = el("p", "live-note presence-note");
  collision.id = "handoff-presence";
  collision.setAttribute("role", "status");
  collision.setAttribute("data-testid", "collision");
  $("handoff-live").after(collision);
  const typing = el("p", "typing-note");
  typing.id = "customer-typing";
  typing.setAttribute("role", "status");
  typing.setAttribute("data-testid", "customer-typing");
  $("timeline").after(typing);
  return { collision, typing };
}

export function initPresence(root) {
  const url = root.getAttribute("data-heartbeat");
  const csrf = root.querySelector('input[name="csrf_token"]').value;
  const handoffRoot = $("handoff");
  const handoffId = handoffRoot ? Number(handoffRoot.getAttribute("data-handoff-id")) : null;
  const reply = handoffRoot && document.querySelector("#reply textarea");
  const notes = handoffRoot ? handoffNotes() : null;
  const notify = notifier(root.getAttribute("data-queue"));
  const baseTitle = document.title;
  const every = handoffRoot || $("queue") ? CONSOLE_BEAT_MS : BEAT_MS;
  let typedAt = 0;
  let extraBeatAt = 0;
  let timer = null;
  let latest = 0; // only the latest heartbeat schedules the next one

  function body() {
    const here = handoffId && !document.hidden ? handoffId : null;
    return {
      handoff_id: here,
      draft: !!(here && reply && reply.value.trim()),
      typed: !!here && Date.now() - typedAt < TYPED_FOR_MS,
    };
  }

  function show(data) {
    setText($("presence-state"), LABELS[data.me.state]);
    document.title = (data.count ? "(" + data.count + ") " : "") + baseTitle;
    notify(data.alerts);
    showTeam(data.team);
    if (notes && data.handoff) {
      const others = data.handoff.others.map((other) => other.name + ACTIVITY[other.activity]);
      setText(notes.collision, others.join(". "));
      setText(notes.typing, data.handoff.customer_typing ? "Customer is typing…" : "");
    }
  }

  function beat() {
    clearTimeout(timer);
    const sent = ++latest;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body()),
    })
      .then((response) => {
        const json = (response.headers.get("Content-Type") || "").startsWith("application/json");
        if (!response.ok || !json) throw new Error("HTTP " + response.status); // e.g. signed out
        return response.json();
      })
      .then(show)
      .catch(() => {}) // the next beat tries again
      .then(() => {
        if (sent === latest) timer = setTimeout(beat, every);
      });
  }

  if (reply) {
    reply.addEventListener("input", () => {
      typedAt = Date.now();
      if (typedAt - extraBeatAt >= TYPING_BEAT_MS) {
        extraBeatAt = typedAt;
        beat();
      }
    });
  }
  document.addEventListener("visibilitychange", beat);
  offerNotifications();
  beat();
}
