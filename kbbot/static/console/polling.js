// The staff API with the signed-in session, polled while the tab is visible. State-changing calls
// would carry the page's CSRF token in X-CSRFToken.

const POLL_MS = 2000; // a new handoff or customer message shows within 3 s (p95, bench/handoff_latency.py)
const MAX_POLL_MS = 60000; // after repeated failures
const csrfMeta = document.querySelector('meta[name="csrf-token"]');

export function api(url, options = {}) {
  const headers = { Accept: "application/json" };
  if (options.method && options.method !== "GET" && csrfMeta) headers["X-CSRFToken"] = csrfMeta.content;
  return fetch(url, { method: options.method || "GET", credentials: "same-origin", headers }).then((response) => {
    if (!response.ok) {
      const error = new Error("HTTP " + response.status);
      error.status = response.status;
      throw error;
    }
    return response.json();
  });
}

// Calls `refresh` (which returns a promise) every POLL_MS while the page is visible; slower after
// failures; stops when the session ended (401/403), telling the agent why.
export function poll(refresh, onStopped) {
  let timer = null;
  let delay = POLL_MS;
  let stopped = false;

  function schedule() {
    clearTimeout(timer);
    if (!stopped && !document.hidden) timer = setTimeout(tick, delay);
  }

  function tick() {
    refresh().then(
      () => {
        delay = POLL_MS;
        schedule();
      },
      (error) => {
        if (error.status === 401 || error.status === 403) {
          stopped = true;
          onStopped("Live updates stopped: you are signed out. Reload the page to sign in again.");
          return;
        }
        delay = Math.min(delay * 2, MAX_POLL_MS);
        schedule();
      },
    );
  }

  document.addEventListener("visibilitychange", () => {
    if (document.hidden) clearTimeout(timer);
    else if (!stopped) tick(); // catch up at once when the agent comes back
  });
  schedule();
}
