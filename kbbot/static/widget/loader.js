/* kbbot chat widget loader, served as /widget.js. Embed on any allowed site:
 *   <script src="https://help.example.com/widget.js" data-kbbot-greeting="Hi!" async></script>
 * Options (data-kbbot-*): mode (chat | articles), greeting, title, position (right | left), article (a slug).
 * Adds a launcher button and an iframe showing kbbot's /widget/frame. The host page's CSS cannot reach
 * either (Shadow DOM), and the frame, on kbbot's origin, cannot read the page. The two talk by
 * postMessage, always to an explicit origin and checking the sender's origin and the message's shape.
 * JavaScript API: kbbot("open"), kbbot("close"), kbbot("showArticle", slug), kbbot("ask", text),
 * kbbot("prefill", text), kbbot("identify", {name, email}); calls queued by the README's stub before this
 * file ran are replayed. Once the widget works, <html> gets data-kbbot-ready and window gets a "kbbot:ready"
 * event; a "kbbot:open" event on window (detail: {message}) opens it, with the message prefilled.
 *
 * Unlike the frame's scripts this stays a classic script, not a module: the snippet above is a public
 * contract (no type="module"), and the loader reads its options from document.currentScript, which a
 * module does not have. The closure keeps its names off the host page's global scope.
 */
(() => {
  "use strict";

  const script = document.currentScript;
  const existing = window.kbbot;
  if (!script || (existing && existing.loaded) || !window.URL || !document.documentElement.attachShadow) return;

  const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
  const COLOR = /^#[0-9a-f]{6}$/i;
  const MAX_TEXT = 2000;
  const READY_TIMEOUT_MS = 15000;

  function option(name) {
    const value = script.getAttribute("data-kbbot-" + name);
    return value === null ? "" : value.trim();
  }

  const mode = option("mode") === "articles" ? "articles" : "chat";
  const frameUrl = new URL("widget/frame", script.src);
  const kbOrigin = frameUrl.origin;
  const params = {
    origin: location.origin,
    mode: mode,
    // Without query string and fragment, which can hold tokens or personal data.
    page: location.origin + location.pathname,
    greeting: option("greeting"),
    title: option("title"),
    article: SLUG.test(option("article")) ? option("article") : ""
  };
  Object.keys(params).forEach((name) => {
    if (params[name]) frameUrl.searchParams.set(name, params[name].slice(0, MAX_TEXT));
  });

  const CSS =
    ".kbbot{--kb-brand:#2563eb;--kb-brand-contrast:#fff;font:16px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}" +
    ".launcher{position:fixed;bottom:20px;right:20px;z-index:2;box-sizing:border-box;width:60px;height:60px;" +
    "margin:0;padding:0;border:0;border-radius:50%;background:var(--kb-brand);color:var(--kb-brand-contrast);cursor:pointer;" +
    "display:flex;align-items:center;justify-content:center;box-shadow:0 6px 20px rgba(0,0,0,.25);" +
    "transition:transform .15s ease,box-shadow .15s ease}" +
    ".launcher[hidden],.frame[hidden],.badge[hidden]{display:none}" +
    ".launcher:hover{transform:scale(1.06);box-shadow:0 8px 26px rgba(0,0,0,.3)}" +
    ".launcher:focus{outline:none}" +
    ".launcher:focus-visible{box-shadow:0 0 0 3px #fff,0 0 0 6px #111}" +
    ".launcher svg{width:28px;height:28px;fill:currentColor}" +
    ".badge{position:absolute;top:-4px;right:-4px;box-sizing:border-box;min-width:22px;height:22px;padding:0 6px;" +
    "border-radius:11px;background:#b42318;color:#fff;font:700 12px/22px system-ui,sans-serif;text-align:center;" +
    "box-shadow:0 0 0 2px #fff}" +
    ".frame{position:fixed;bottom:92px;right:20px;z-index:1;box-sizing:border-box;width:400px;" +
    "height:min(700px,calc(100% - 112px));max-width:calc(100% - 40px);margin:0;padding:0;border:0;" +
    "border-radius:16px;background:#fff;color-scheme:normal;box-shadow:0 12px 48px rgba(0,0,0,.28)}" +
    ".left .launcher,.left .frame{right:auto;left:20px}" +
    ".left .badge{right:auto;left:-4px}" +
    "@media (max-width:480px),(max-height:500px){.frame{inset:0;width:100%;height:100%;max-width:none;" +
    "border-radius:0;box-shadow:none}.open .launcher{display:none}}" +
    "@media (prefers-reduced-motion:reduce){.launcher{transition:none}.launcher:hover{transform:none}}";

  const SVG_NS = "http://www.w3.org/2000/svg";
  const ICONS = {
    chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2zm3 5v2h10V9H7zm0 4v2h7v-2H7z",
    articles: "M6 2h9l5 5v13a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2zm8 1.5V8h4.5L14 3.5zM7 12v2h10v-2H7zm0 4v2h7v-2H7z",
    close: "M7.4 8.6 12 13.2l4.6-4.6L18 10l-6 6-6-6z"
  };

  function element(tag, attributes) {
    const node = document.createElement(tag);
    Object.keys(attributes || {}).forEach((name) => {
      node.setAttribute(name, attributes[name]);
    });
    return node;
  }

  function icon(name) {
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", ICONS[name]);
    svg.appendChild(path);
    return svg;
  }

  // The host element resets every inherited and page-set property; inline !important beats page CSS.
  const host = element("div", { id: "kbbot-widget", "data-testid": "kbbot-widget" });
  host.style.setProperty("all", "initial", "important");
  host.style.setProperty("display", "block", "important");
  host.style.setProperty("position", "fixed", "important");
  host.style.setProperty("z-index", "2147483000", "important");
  host.style.setProperty("width", "0", "important");
  host.style.setProperty("height", "0", "important");
  const root = host.attachShadow({ mode: "open" });
  if (root.adoptedStyleSheets && window.CSSStyleSheet && "replaceSync" in CSSStyleSheet.prototype) {
    // A constructed sheet is not an inline <style>, so a strict host CSP does not block it.
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } else {
    const style = element("style");
    style.textContent = CSS;
    root.appendChild(style);
  }

  const label = mode === "articles" ? "Help articles" : "Chat with support";
  const wrapper = element("div", { class: "kbbot" + (option("position") === "left" ? " left" : "") });
  const launcher = element("button", {
    type: "button",
    class: "launcher",
    id: "kbbot-launcher",
    "data-testid": "kbbot-launcher",
    "aria-label": label,
    "aria-expanded": "false",
    "aria-controls": "kbbot-frame"
  });
  launcher.hidden = true; // shown once the frame is ready, so that it never opens a broken panel
  const badge = element("span", { class: "badge", id: "kbbot-unread", "data-testid": "kbbot-unread", "aria-hidden": "true" });
  badge.hidden = true;
  const closedIcon = icon(mode);
  const openIcon = icon("close");
  launcher.appendChild(closedIcon);
  launcher.appendChild(badge);
  const frame = element("iframe", {
    class: "frame",
    id: "kbbot-frame",
    "data-testid": "kbbot-frame",
    title: mode === "articles" ? "Help articles" : "Support chat",
    src: frameUrl.href,
    // No allow-top-navigation: the frame can never navigate the host page away.
    sandbox: "allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox",
    referrerpolicy: "origin"
  });
  frame.hidden = true;
  wrapper.appendChild(frame);
  wrapper.appendChild(launcher);
  root.appendChild(wrapper);
  if (document.body) document.body.appendChild(host);
  else document.addEventListener("DOMContentLoaded", () => document.body.appendChild(host));

  let ready = false;
  let isOpen = false;
  const waiting = []; // API calls made before the frame was ready

  function post(message) {
    frame.contentWindow.postMessage(message, kbOrigin);
  }

  function setUnread(count) {
    badge.textContent = count > 9 ? "9+" : String(count);
    badge.hidden = count === 0 || isOpen;
    launcher.setAttribute("aria-label", count && !isOpen ? label + " (" + count + " unread)" : label);
  }

  function open(focus) {
    if (!isOpen) {
      isOpen = true;
      frame.hidden = false;
      wrapper.classList.add("open");
      launcher.setAttribute("aria-expanded", "true");
      launcher.replaceChild(openIcon, closedIcon);
      setUnread(0);
    }
    if (focus) frame.focus();
    post({ type: "kbbot:opened", focus: !!focus });
  }

  function close(returnFocus) {
    if (!isOpen) return;
    isOpen = false;
    frame.hidden = true;
    wrapper.classList.remove("open");
    launcher.setAttribute("aria-expanded", "false");
    launcher.replaceChild(closedIcon, openIcon);
    post({ type: "kbbot:closed" });
    if (returnFocus) launcher.focus();
  }

  function warn(text) {
    if (window.console) console.warn("kbbot: " + text);
  }

  function text(value, max) {
    return typeof value === "string" ? value.trim().slice(0, max) : "";
  }

  const commands = {
    open() {
      open(true);
    },
    close() {
      close(document.activeElement === host); // give focus back only if it was inside the widget
    },
    showArticle(slug) {
      if (typeof slug !== "string" || !SLUG.test(slug)) return warn("showArticle needs an article slug");
      open(true);
      post({ type: "kbbot:show-article", slug: slug });
    },
    prefill(draft) {
      draft = text(draft, MAX_TEXT);
      open(true);
      if (draft) post({ type: "kbbot:prefill", text: draft });
    },
    ask(question) {
      question = text(question, MAX_TEXT);
      if (!question) return warn("ask needs the question's text");
      open(true);
      post({ type: "kbbot:ask", text: question });
    },
    identify(person) {
      if (!person || typeof person !== "object") return warn("identify needs {name, email}");
      post({ type: "kbbot:identify", name: text(person.name, 200), email: text(person.email, 320) });
    }
  };

  function kbbot(command, argument) {
    if (!Object.prototype.hasOwnProperty.call(commands, command)) return warn("unknown command " + command);
    if (ready) commands[command](argument);
    else waiting.push([command, argument]);
  }
  kbbot.loaded = true;
  window.kbbot = kbbot;
  Array.from((existing && existing.q) || []).forEach((call) => {
    kbbot(call[0], call[1]);
  });

  window.addEventListener("kbbot:open", (event) => {
    const message = event.detail && event.detail.message;
    kbbot(typeof message === "string" && message.trim() ? "prefill" : "open", message);
  });
  launcher.addEventListener("click", () => {
    if (isOpen) close(true);
    else open(true);
  });
  root.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && isOpen) {
      event.stopPropagation();
      close(true);
    }
  });

  window.addEventListener("message", (event) => {
    if (event.origin !== kbOrigin || event.source !== frame.contentWindow) return;
    const data = event.data;
    if (!data || typeof data !== "object" || typeof data.type !== "string") return;
    if (data.type === "kbbot:ready") {
      const theme = data.theme && typeof data.theme === "object" ? data.theme : {};
      if (COLOR.test(theme.brand) && COLOR.test(theme.contrast)) {
        wrapper.style.setProperty("--kb-brand", theme.brand);
        wrapper.style.setProperty("--kb-brand-contrast", theme.contrast);
      }
      launcher.hidden = false;
      if (!ready) {
        ready = true;
        if (data.open === true) open(false); // it was open before this page loaded
        waiting.splice(0).forEach((call) => {
          commands[call[0]](call[1]);
        });
        document.documentElement.setAttribute("data-kbbot-ready", "");
        window.dispatchEvent(new CustomEvent("kbbot:ready"));
      }
    } else if (data.type === "kbbot:request-close") {
      close(true);
    } else if (data.type === "kbbot:unread" && typeof data.count === "number" && data.count >= 0) {
      setUnread(Math.floor(data.count));
    }
  });

  setTimeout(() => {
    if (!ready) warn("the widget did not start; is " + location.origin + " in KBBOT_ALLOWED_ORIGINS at " + kbOrigin + "?");
  }, READY_TIMEOUT_MS);
})();
