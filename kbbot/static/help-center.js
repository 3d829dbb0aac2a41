// The help center's behaviour: "was this article helpful?", the buttons that open the chat
// assistant, and the table of contents following the reader. Loaded as a module on every page.
//
// The chat widget, when it is on the page, announces itself by setting the attribute
// data-kbbot-ready on <html> or by dispatching "kbbot:ready" on window; elements marked
// data-kbbot-widget-only are shown from then on. A [data-kbbot-ask] button dispatches
// "kbbot:open" on window with detail {message} (the text to prefill, may be "").

const WIDGET_READY_ATTRIBUTE = "data-kbbot-ready";

function revealWidgetControls() {
  for (const element of document.querySelectorAll("[data-kbbot-widget-only]")) {
    element.hidden = false;
  }
}

function setUpAssistant() {
  if (document.documentElement.hasAttribute(WIDGET_READY_ATTRIBUTE)) revealWidgetControls();
  else window.addEventListener("kbbot:ready", revealWidgetControls, { once: true });
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-kbbot-ask]");
    if (!button) return;
    const message = button.getAttribute("data-kbbot-message") || "";
    window.dispatchEvent(new CustomEvent("kbbot:open", { detail: { message } }));
  });
}

function setUpFeedback(section) {
  const status = section.querySelector(".kb-feedback__status");
  const followUp = section.querySelector(".kb-feedback__followup");
  const buttons = [...section.querySelectorAll("button[data-helpful]")];
  section.hidden = false;

  async function vote(button) {
    const helpful = button.getAttribute("data-helpful") === "true";
    buttons.forEach((other) => (other.disabled = true));
    status.removeAttribute("data-state");
    status.textContent = "Sending…";
    try {
      const response = await fetch(section.getAttribute("data-endpoint"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ article: section.getAttribute("data-article"), helpful }),
      });
      if (!response.ok) throw new Error(`feedback answered ${response.status}`);
      buttons.forEach((other) => other.setAttribute("aria-pressed", String(other === button)));
      status.setAttribute("data-state", "done");
      status.textContent = helpful
        ? "Thanks for your feedback! We’re glad this helped."
        : "Thanks for telling us. We’ll use your feedback to improve this article.";
      const help = followUp.querySelector("[data-kb-get-help]");
      followUp.hidden = helpful || !help || help.hidden;
    } catch (error) {
      status.setAttribute("data-state", "error");
      status.textContent = "Sorry, we couldn’t save your feedback. Please try again.";
    } finally {
      buttons.forEach((other) => (other.disabled = false));
    }
  }

  buttons.forEach((button) => button.addEventListener("click", () => vote(button)));
}

// Marks the contents entry of the section being read (aria-current="location").
function setUpContents(contents) {
  if (!("IntersectionObserver" in window)) return;
  const links = new Map();
  for (const link of contents.querySelectorAll('a[href^="#"]')) {
    const heading = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (heading) links.set(heading, link);
  }
  if (!links.size) return;
  const headings = [...links.keys()];
  const visible = new Set();
  function mark(current) {
    for (const link of links.values()) {
      if (link === current) link.setAttribute("aria-current", "location");
      else link.removeAttribute("aria-current");
    }
  }
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (entry.isIntersecting) visible.add(entry.target);
        else visible.delete(entry.target);
      }
      // The first heading in view, else the last one scrolled past.
      const first = headings.find((heading) => visible.has(heading));
      if (first) return mark(links.get(first));
      const above = headings.filter((heading) => heading.getBoundingClientRect().top < 0);
      mark(above.length ? links.get(above[above.length - 1]) : null);
    },
    { rootMargin: "0px 0px -60% 0px" },
  );
  headings.forEach((heading) => observer.observe(heading));
}

setUpAssistant();
document.querySelectorAll("[data-kb-feedback]").forEach(setUpFeedback);
const contents = document.getElementById("kb-toc");
if (contents) setUpContents(contents);
