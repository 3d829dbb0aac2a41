// Reports how long the visitor had the article page in view, so agents see what a customer really read.
// A module has no document.currentScript: the endpoint comes from its <script data-view-url> tag.

const url = document.querySelector("script[data-view-url]")?.getAttribute("data-view-url");

if (url && navigator.sendBeacon) {
  let visibleSince = document.visibilityState === "visible" ? Date.now() : null;
  let total = 0;

  const report = () => {
    if (visibleSince !== null) {
      total += Date.now() - visibleSince;
      visibleSince = null;
    }
    const body = new Blob([JSON.stringify({ seconds: Math.round(total / 100) / 10 })], { type: "application/json" });
    navigator.sendBeacon(url, body);
  };

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") report();
    else visibleSince = Date.now();
  });
}
