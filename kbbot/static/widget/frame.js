/* kbbot widget frame: the chat (or articles) panel inside the iframe that /widget.js adds to a page.
 * The entry module, loaded with <script type="module">: it wires the page's controls to the parts.
 *
 *   context.js       the page's settings and fixed elements
 *   state.js         what is remembered, in the iframe's own storage
 *   api.js           the JSON API on the frame's origin
 *   host.js          postMessage to and from the host page
 *   dom.js           building the DOM safely (no HTML from the API or the host is ever inserted as is)
 *   messages.js      the conversation on screen
 *   conversation.js  sending, adopting the server's turns, restoring after a reload
 *   polling.js       agents' replies
 *   typing.js        the customer's typing reported, the agent's shown
 *   handoff.js       handing off to a person
 *   survey.js        the end of a chat: CSAT, CES, NPS; the header's controls
 *   reader.js        articles read inside the widget
 *   search.js        articles mode: search
 */

import { $, app, autoGrow, focusDefault, framed, input, mode, SLUG } from "./context.js";
import { restore, sendMessage } from "./conversation.js";
import { isPlainClick } from "./dom.js";
import { showHandoffForm } from "./handoff.js";
import { listenToHost, requestClose, tellHost, themeColor } from "./host.js";
import { poll } from "./polling.js";
import { closeArticle, showArticle, stopReading } from "./reader.js";
import { search } from "./search.js";
import { handoffActive, read, state, tab } from "./state.js";
import { offerSurvey, updateChrome } from "./survey.js";
import { reportTyping } from "./typing.js";

listenToHost();

document.addEventListener("visibilitychange", () => {
  if (!document.hidden && handoffActive()) poll();
});

window.addEventListener("pagehide", () => stopReading(true));

if (framed) {
  $("kb-close").hidden = false;
  $("kb-close").addEventListener("click", requestClose);
} else {
  app.setAttribute("data-standalone", "");
}

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && framed) {
    event.preventDefault();
    requestClose();
  }
});

$("kb-article-back").addEventListener("click", () => closeArticle(true));

for (const anchor of document.querySelectorAll("[data-testid=suggested-article]")) {
  anchor.addEventListener("click", (event) => {
    const slug = anchor.getAttribute("data-slug");
    if (!isPlainClick(event) || !SLUG.test(slug)) return;
    event.preventDefault();
    showArticle(slug, anchor);
  });
}

if (mode === "articles") {
  $("kb-search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    search($("kb-search").value.trim());
  });
} else {
  $("kb-composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    if (!text.trim()) {
      input.focus();
      return;
    }
    input.value = "";
    autoGrow();
    sendMessage(text);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("kb-send").click();
    }
  });
  input.addEventListener("input", autoGrow);
  input.addEventListener("input", reportTyping);
  $("kb-talk-to-person").addEventListener("click", () => showHandoffForm(true));
  $("kb-end-chat").addEventListener("click", () => offerSurvey(true));
  updateChrome();
  if (state.conversationId) restore();
}

const wasOpen = read(tab).open === true;
if (!framed) focusDefault();
tellHost({
  type: "kbbot:ready",
  open: wasOpen,
  theme: { brand: themeColor("--kb-brand"), contrast: themeColor("--kb-brand-contrast") },
});
