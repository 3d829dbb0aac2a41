/* kbbot widget frame: the chat (or articles) panel inside the iframe that /widget.js adds to a page.
 *
 * It calls the JSON API on its own origin and keeps the conversation id and the signed visitor token
 * (X-Kbbot-Visitor, sent back on every call: third-party cookies are often blocked in an iframe) in
 * its own localStorage, so a conversation survives navigation and reloads of the host page. It talks
 * to the host page by postMessage, only ever to the host origin the server validated
 * (data-host-origin), and accepts only messages of an allowed type from that origin and window.
 * Nothing from the API or the host is inserted as HTML: text goes in with textContent, links only
 * for http(s) URLs, and article bodies and the bot's answers (Markdown the server rendered and
 * sanitized: rendering.render_answer) are rebuilt element by element from an allow-list.
 */
(function () {
  "use strict";

  var app = document.getElementById("kb-app");
  var mode = app.getAttribute("data-mode");
  var apiBase = app.getAttribute("data-api");
  var hostOrigin = app.getAttribute("data-host-origin");
  var pageUrl = app.getAttribute("data-page-url");
  var maxChars = parseInt(app.getAttribute("data-max-message-chars"), 10) || 2000;
  var framed = window.parent !== window && !!hostOrigin;
  var botName = document.getElementById("kb-title").textContent.trim() + " assistant";

  var POLL_OPEN_MS = 4000; // while the panel is open and the page visible
  var POLL_CLOSED_MS = 15000; // otherwise: enough to count unread replies on the launcher
  var STORAGE_KEY = "kbbot.widget";
  var MAX_VOTES_KEPT = 50;
  var SEARCH_LIMIT = 8;
  var TALK_TO_PERSON = "I'd like to talk to a person.";
  var SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
  var EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
  var LOCALE = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;
  var COLOR = /^#[0-9a-f]{6}$/i;
  // In an agent's reply: a Markdown link to an http(s) URL, or a bare http(s) URL (agents paste those).
  // Brackets and backslashes in a link's text may come escaped ("Dark mode \[beta\]"); UNESCAPE drops the "\".
  // A backslash always takes the character after it, so the pattern reads each text one way only.
  var LINK = /\[((?:\\[^\n]|[^[\]\\\n])+)\]\((https?:\/\/[^\s()]+)\)|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])/g;
  var UNESCAPE = /\\([[\]\\])/g;
  var ARTICLE_PATH = /\/articles\/([a-z0-9]+(?:-[a-z0-9]+)*)\/?$/;
  var SECTION_ID = /^section-[a-z0-9-]+$/; // the id of an article's heading, as the server gives it

  function $(id) {
    return document.getElementById(id);
  }

  // -- storage: the iframe's own, partitioned by the host site in modern browsers ----------------------

  function storage(kind) {
    try {
      var store = window[kind];
      store.setItem("kbbot.probe", "1");
      store.removeItem("kbbot.probe");
      return store;
    } catch (error) {
      return null; // blocked storage: the conversation lasts as long as the page
    }
  }

  var local = storage("localStorage");
  var tab = storage("sessionStorage");

  function read(store) {
    try {
      var value = store ? JSON.parse(store.getItem(STORAGE_KEY)) : null;
      return value && typeof value === "object" ? value : {};
    } catch (error) {
      return {};
    }
  }

  function write(store, value) {
    try {
      if (store) store.setItem(STORAGE_KEY, JSON.stringify(value));
    } catch (error) {
      /* full or blocked: keep going without */
    }
  }

  var saved = read(local);
  var state = {
    visitor: typeof saved.visitor === "string" ? saved.visitor : null,
    conversationId: typeof saved.conversationId === "string" ? saved.conversationId : null,
    voted: Array.isArray(saved.voted) ? saved.voted.filter(Number.isInteger).slice(-MAX_VOTES_KEPT) : [],
    open: !framed,
    cursor: 0, // the newest message id seen
    shown: {}, // message id -> true, for messages on screen
    pendingCustomer: [], // the customer's messages on screen whose id is not known yet
    handoff: null, // {id, status}
    ended: false,
    unread: 0,
    inFlight: 0,
    identity: { name: "", email: "" },
    pollTimer: null,
    availability: null,
    reading: null, // {viewId, since}
    articleReturn: null
  };

  function persist() {
    write(local, { visitor: state.visitor, conversationId: state.conversationId, voted: state.voted });
  }

  // -- the API --------------------------------------------------------------------------------------

  function ApiError(status, problem) {
    this.status = status;
    this.problem = problem;
  }

  function api(method, path, body, options) {
    var headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (state.visitor) headers["X-Kbbot-Visitor"] = state.visitor;
    return fetch(apiBase + path, {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
      keepalive: !!(options && options.keepalive)
    }).then(function (response) {
      var token = response.headers.get("X-Kbbot-Visitor");
      if (token && token !== state.visitor) {
        state.visitor = token;
        persist();
      }
      if (response.status === 204) return null;
      return response.json().then(
        function (data) {
          if (!response.ok) throw new ApiError(response.status, data);
          return data;
        },
        function () {
          throw new ApiError(response.status, null);
        }
      );
    });
  }

  // Calls that read or change the transcript run one at a time, so that a poll and a question
  // never interleave and the cursor only moves forward.
  var queue = Promise.resolve();
  function serial(task) {
    var run = queue.then(task);
    queue = run.catch(function () {});
    return run;
  }

  function problemText(error) {
    if (!(error instanceof ApiError)) return "We couldn't reach our server. Check your connection and try again.";
    if (error.status === 413) return "That message is too long. Please make it shorter.";
    if (error.status === 429) return "That was a lot at once. Please wait a moment and try again.";
    return "Something went wrong on our side. Please try again.";
  }

  function conversationPath(suffix) {
    return "/conversations/" + encodeURIComponent(state.conversationId) + (suffix || "");
  }

  // -- the host page ----------------------------------------------------------------------------------

  function tellHost(message) {
    if (framed) window.parent.postMessage(message, hostOrigin);
  }

  function themeColor(name) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return COLOR.test(value) ? value : null;
  }

  function requestClose() {
    tellHost({ type: "kbbot:request-close" });
  }

  window.addEventListener("message", function (event) {
    if (!framed || event.source !== window.parent || event.origin !== hostOrigin) return;
    var data = event.data;
    if (!data || typeof data !== "object" || typeof data.type !== "string") return;
    if (data.type === "kbbot:opened") panelOpened(data.focus === true);
    else if (data.type === "kbbot:closed") panelClosed();
    else if (data.type === "kbbot:ask" && typeof data.text === "string") askFromHost(data.text);
    else if (data.type === "kbbot:prefill" && typeof data.text === "string") prefill(data.text);
    else if (data.type === "kbbot:show-article" && typeof data.slug === "string" && SLUG.test(data.slug))
      showArticle(data.slug, null);
    else if (data.type === "kbbot:identify") identify(data);
  });

  function panelOpened(moveFocus) {
    state.open = true;
    write(tab, { open: true });
    setUnread(0);
    if (moveFocus) focusDefault();
    if (state.reading && !state.reading.since) state.reading.since = Date.now();
    schedulePoll();
  }

  function panelClosed() {
    state.open = false;
    write(tab, { open: false });
    pauseReading();
    schedulePoll();
  }

  function setUnread(count) {
    if (count === state.unread) return;
    state.unread = count;
    tellHost({ type: "kbbot:unread", count: count });
  }

  function identify(person) {
    if (typeof person.name === "string") state.identity.name = person.name.trim().slice(0, 200);
    if (typeof person.email === "string") state.identity.email = person.email.trim().slice(0, 320);
    fillIdentity();
  }

  function askFromHost(text) {
    text = text.trim().slice(0, maxChars);
    if (!text) return;
    closeArticle(false);
    if (mode === "articles") {
      $("kb-search").value = text;
      search(text);
    } else {
      sendMessage(text);
    }
  }

  function prefill(text) {
    text = text.trim().slice(0, maxChars);
    closeArticle(false);
    if (mode === "articles") {
      askFromHost(text);
      return;
    }
    input.value = text;
    autoGrow();
    input.focus();
    input.setSelectionRange(text.length, text.length);
  }

  // -- building the DOM safely -------------------------------------------------------------------------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function button(className, text, testId) {
    var node = el("button", className, text);
    node.type = "button";
    if (testId) node.setAttribute("data-testid", testId);
    return node;
  }

  function webUrl(value, allowMail) {
    try {
      var url = new URL(value, location.href);
      var ok = url.protocol === "https:" || url.protocol === "http:" || (allowMail && url.protocol === "mailto:");
      return ok ? url : null;
    } catch (error) {
      return null;
    }
  }

  function articleSlugOf(url) {
    var match = url.origin === location.origin && ARTICLE_PATH.exec(url.pathname);
    return match ? match[1] : null;
  }

  function isPlainClick(event) {
    return event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey;
  }

  // A link that opens in a new tab, or, for one of our own articles, inside the widget.
  function link(url, text, className) {
    var anchor = el("a", className || "kb-link", text);
    anchor.href = url.href;
    anchor.target = "_blank";
    anchor.rel = "noopener noreferrer";
    var slug = articleSlugOf(url);
    if (slug) {
      anchor.addEventListener("click", function (event) {
        if (!isPlainClick(event)) return;
        event.preventDefault();
        showArticle(slug, anchor, url.hash.slice(1));
      });
    }
    return anchor;
  }

  // Plain text; Markdown links and bare URLs to http(s) become links, nothing else.
  function appendInline(block, text) {
    var last = 0;
    var match;
    LINK.lastIndex = 0;
    while ((match = LINK.exec(text))) {
      var url = webUrl(match[2] || match[3]);
      if (!url) continue;
      block.appendChild(document.createTextNode(text.slice(last, match.index)));
      block.appendChild(link(url, match[1] ? match[1].replace(UNESCAPE, "$1") : match[3]));
      last = LINK.lastIndex;
    }
    block.appendChild(document.createTextNode(text.slice(last)));
  }

  function spokenText(text) {
    return text.replace(LINK, function (whole, title, url, bare) {
      return title ? title.replace(UNESCAPE, "$1") : bare;
    });
  }

  // -- the chat ---------------------------------------------------------------------------------------

  var list = $("kb-messages");
  var scroller = $("kb-scroll");
  var input = $("kb-input");
  var live = $("kb-live");

  function announce(text) {
    // Cleared first, so that the same words twice are announced twice.
    live.textContent = "";
    setTimeout(function () {
      live.textContent = text;
    }, 60);
  }

  function scrollToEnd() {
    if (scroller) scroller.scrollTop = scroller.scrollHeight;
  }

  function messageItem(role, author) {
    var item = el("li", "kb-msg kb-msg--" + role);
    item.setAttribute("data-testid", "message-" + role);
    item.appendChild(el("p", "kb-msg__author" + (role === "customer" ? " kb-visually-hidden" : ""), author));
    var bubble = el("div", "kb-msg__bubble");
    item.appendChild(bubble);
    list.appendChild(item);
    return { item: item, bubble: bubble };
  }

  function note(text, testId, kind) {
    var item = el("li", "kb-note" + (kind ? " kb-note--" + kind : ""));
    item.setAttribute("data-testid", testId || "note");
    item.appendChild(el("p", "kb-note__text", text));
    list.appendChild(item);
    announce(text);
    scrollToEnd();
    return item;
  }

  function renderCustomer(text, id) {
    retireChoices();
    var parts = messageItem("customer", "You");
    parts.bubble.appendChild(el("p", "kb-msg__text", text));
    if (id) {
      parts.item.setAttribute("data-message-id", id);
      state.shown[id] = true;
    }
    return parts.item;
  }

  function renderAgent(message, isNew) {
    var author = message.author || "Support team";
    var parts = messageItem("agent", author);
    parts.item.setAttribute("data-message-id", message.id);
    parts.item.firstChild.appendChild(el("span", "kb-msg__badge", "Support team"));
    // Plain text, as the agent wrote it; only its http(s) links become links.
    appendInline(parts.bubble.appendChild(el("p", "kb-msg__text")), message.text);
    if (isNew) {
      announce(author + " says: " + spokenText(message.text));
      if (!state.open) setUnread(state.unread + 1);
    }
  }

  function sourceLinks(sources) {
    var box = el("div", "kb-sources");
    box.appendChild(el("p", "kb-sources__title", "Sources"));
    var items = el("ul", "kb-sources__list");
    sources.forEach(function (source) {
      var url = webUrl(source.url);
      if (!url || typeof source.title !== "string") return;
      var anchor = link(url, source.title, "kb-source");
      anchor.setAttribute("data-testid", "source-link");
      if (SLUG.test(source.slug)) anchor.setAttribute("data-slug", source.slug);
      var item = el("li");
      item.appendChild(anchor);
      items.appendChild(item);
    });
    box.appendChild(items);
    return box;
  }

  // What a choice reads as, and what the customer's message says when they pick it (as the server's
  // conversations.choice_label): the section's heading, or the article's title for its introduction.
  function choiceLabel(choice) {
    return choice.section || choice.title;
  }

  // "Which of these?": sections of one article, or articles with their best section as a second line.
  function choiceButtons(choices) {
    var group = el("div", "kb-suggest");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Which of these?");
    group.setAttribute("data-testid", "choices");
    var slugs = {};
    choices.forEach(function (choice) {
      slugs[choice.slug] = true;
    });
    var articles = Object.keys(slugs).length > 1;
    choices.forEach(function (choice) {
      if (!SLUG.test(choice.slug) || typeof choice.anchor !== "string" || typeof choice.title !== "string") return;
      var option = button("kb-suggest__choice", null, "choice");
      var words = option.appendChild(el("span", "kb-suggest__words"));
      words.appendChild(el("span", null, articles ? choice.title : choiceLabel(choice)));
      if (articles && choice.section) words.appendChild(el("span", "kb-suggest__detail", choice.section));
      option.setAttribute("data-slug", choice.slug);
      option.setAttribute("data-anchor", choice.anchor);
      option.addEventListener("click", function () {
        pickChoice(choice, group);
      });
      group.appendChild(option);
    });
    return group;
  }

  // Once the customer writes or picks, the choices on screen are out of date: hidden, not removed, so
  // that a message that failed to send can bring them back. Returns those it hid.
  function retireChoices() {
    var shown = Array.prototype.filter.call(list.querySelectorAll("[data-testid=choices]"), function (group) {
      return !group.hidden;
    });
    shown.forEach(function (group) {
      group.hidden = true;
    });
    return shown;
  }

  function suggestChoices(sources) {
    var group = el("div", "kb-suggest");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Suggested articles");
    sources.forEach(function (source) {
      if (typeof source.title !== "string") return;
      var choice = button("kb-suggest__choice", source.title, "suggest-choice");
      if (SLUG.test(source.slug)) choice.setAttribute("data-slug", source.slug);
      choice.addEventListener("click", function () {
        sendMessage(source.title);
      });
      group.appendChild(choice);
    });
    return group;
  }

  function helpfulControls(messageId) {
    var box = el("div", "kb-helpful");
    box.setAttribute("data-testid", "helpful");
    box.setAttribute("data-message-id", messageId);
    if (state.voted.indexOf(messageId) !== -1) {
      box.appendChild(el("p", "kb-helpful__thanks", "Thanks for your feedback."));
      return box;
    }
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", "Was this answer helpful?");
    box.appendChild(el("span", "kb-helpful__label", "Helpful?"));
    var yes = button("kb-helpful__button", "Yes", "helpful-yes");
    var no = button("kb-helpful__button", "No", "helpful-no");
    yes.addEventListener("click", function () {
      vote(messageId, true, box);
    });
    no.addEventListener("click", function () {
      vote(messageId, false, box);
    });
    box.appendChild(yes);
    box.appendChild(no);
    return box;
  }

  function vote(messageId, helpful, box) {
    var buttons = box.querySelectorAll("button");
    buttons.forEach(function (each) {
      each.disabled = true;
    });
    api("POST", "/feedback", { message_id: messageId, helpful: helpful }).then(
      function (data) {
        state.voted = state.voted.concat([messageId]).slice(-MAX_VOTES_KEPT);
        persist();
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        var thanks = helpful ? "Thanks! Glad that helped." : "Thanks for telling us.";
        box.replaceChildren(el("p", "kb-helpful__thanks", thanks));
        announce(thanks);
        if (!helpful && data && data.handoff_offered && !handoffActive()) {
          note("Sorry that didn't help. A person from our support team can take it from here.", "offer");
          showHandoffForm(true);
        }
      },
      function (error) {
        buttons.forEach(function (each) {
          each.disabled = false;
        });
        note(problemText(error), "error-note", "error");
      }
    );
  }

  // The answer as the server rendered it (`html`); its plain text if there is none.
  function answerBody(message) {
    var body = el("div", "kb-msg__answer");
    if (typeof message.html === "string") {
      copySafe(new DOMParser().parseFromString(message.html, "text/html").body, body);
    } else {
      body.appendChild(el("p", "kb-msg__text", message.text));
    }
    return body;
  }

  function renderBot(message, isNew) {
    var parts = messageItem("bot", botName);
    parts.item.setAttribute("data-message-id", message.id);
    parts.item.setAttribute("data-action", message.action || "");
    var answer = parts.bubble.appendChild(answerBody(message));
    var sources = Array.isArray(message.sources) ? message.sources : [];
    var choices = Array.isArray(message.choices) ? message.choices : [];
    // The server sends exactly the sources to show (conversations.shown_sources): what it records as seen.
    if (message.action === "answer") {
      if (sources.length) parts.bubble.appendChild(sourceLinks(sources));
      parts.item.appendChild(helpfulControls(message.id));
    } else if (message.action === "suggest" && choices.length) {
      parts.bubble.appendChild(choiceButtons(choices));
    } else if (message.action === "suggest" && sources.length) {
      parts.bubble.appendChild(suggestChoices(sources));
    }
    // The words as laid out (innerText: table cells apart), not the markup.
    if (isNew) announce(botName + ": " + answer.innerText);
  }

  function renderMessage(message, isNew) {
    if (!message || typeof message.id !== "number" || state.shown[message.id]) return;
    if (typeof message.text !== "string") return;
    state.shown[message.id] = true;
    if (message.role === "customer") {
      // Our own message, already on screen while it was being sent: give it its id.
      var pending = state.pendingCustomer[0];
      if (pending && pending.text === message.text) {
        state.pendingCustomer.shift();
        pending.item.setAttribute("data-message-id", message.id);
        return;
      }
      renderCustomer(message.text, message.id);
    } else if (message.role === "agent") {
      renderAgent(message, isNew);
    } else if (message.role === "bot") {
      renderBot(message, isNew);
    }
  }

  function applyConversation(data, isNew) {
    var wasResolved = !!state.handoff && state.handoff.status === "resolved";
    (data.messages || []).forEach(function (message) {
      renderMessage(message, isNew);
    });
    state.cursor = Math.max(state.cursor, data.cursor || 0);
    state.handoff = data.handoff || null;
    state.ended = !!data.ended;
    if (isNew && data.messages && data.messages.length) scrollToEnd();
    if (isNew && !wasResolved && state.handoff && state.handoff.status === "resolved") {
      note("Our team has marked your request as solved.", "resolved-note");
      offerSurvey(false);
    }
    updateChrome();
  }

  function showTyping(on) {
    state.inFlight += on ? 1 : -1;
    $("kb-typing").hidden = state.inFlight <= 0;
    scrollToEnd();
  }

  function chatBody(text, choice) {
    var body = { message: text };
    if (choice) body.choice = { slug: choice.slug, anchor: choice.anchor };
    if (state.conversationId) body.conversation_id = state.conversationId;
    if (pageUrl) body.page_url = pageUrl;
    var locale = navigator.language;
    if (typeof locale === "string" && locale.length <= 35 && LOCALE.test(locale)) body.locale = locale;
    return body;
  }

  function postChat(text) {
    return api("POST", "/chat", chatBody(text)).catch(function (error) {
      if (!(error instanceof ApiError) || error.status !== 404 || !state.conversationId) throw error;
      forgetConversation(); // gone, or no longer ours (a new visitor token): start afresh
      return api("POST", "/chat", chatBody(text));
    });
  }

  // A person holds the conversation: the bot stayed silent, and message_id is the customer's.
  function isSilent(data) {
    return data.action === "handoff" && !data.handoff_offered;
  }

  // Whether the customer was told since the last reply that their messages wait for a person:
  // once is enough while they add details.
  function waitingNoted() {
    for (var item = list.lastElementChild; item; item = item.previousElementSibling) {
      var kind = item.getAttribute("data-testid");
      if (kind === "waiting-note") return true;
      if (kind === "message-bot" || kind === "message-agent") return false;
    }
    return false;
  }

  function adoptTurn(data) {
    if (data.conversation_id !== state.conversationId) {
      state.conversationId = data.conversation_id;
      state.ended = false;
      persist();
    }
    state.handoff = data.handoff || null;
    state.shown[data.message_id] = true;
    if (isSilent(data)) {
      var pending = state.pendingCustomer.shift();
      if (pending) pending.item.setAttribute("data-message-id", data.message_id);
    } else if (!state.handoff) {
      // Nobody else writes here before a handoff: everything up to the bot's reply is on screen.
      state.cursor = Math.max(state.cursor, data.message_id);
      state.pendingCustomer.shift();
    }
    // Otherwise an agent may have replied meanwhile: the next poll fetches everything after the old
    // cursor, and gives the customer's message on screen its id.
  }

  function sendMessage(text) {
    text = text.trim();
    if (!text) return;
    if (text.length > maxChars) {
      note("That message is too long. Please make it shorter.", "error-note", "error");
      return;
    }
    if (state.ended) forgetConversation();
    converse(
      text,
      function () {
        return postChat(text);
      },
      function () {
        if (!input.value) input.value = text;
      }
    );
  }

  // A click on one of the bot's choices: the customer's pick, then the bot answers with that section.
  function pickChoice(choice, group) {
    if (!state.conversationId || state.ended) return;
    var buttons = group.querySelectorAll("button");
    buttons.forEach(function (each) {
      each.disabled = true;
    });
    converse(
      choiceLabel(choice),
      function () {
        return api("POST", "/chat", chatBody("", choice));
      },
      function () {
        buttons.forEach(function (each) {
          each.disabled = false;
        });
      }
    );
  }

  // The customer's message on screen at once, `post` sends it; then the bot's reply, or a note that
  // it waits for a person. `undo` puts things back when it could not be sent.
  function converse(text, post, undo) {
    var retired = retireChoices();
    var item = renderCustomer(text);
    item.classList.add("kb-msg--pending");
    var pending = { text: text, item: item };
    state.pendingCustomer.push(pending);
    showTyping(true);
    serial(post).then(
      function (data) {
        showTyping(false);
        item.classList.remove("kb-msg--pending");
        adoptTurn(data);
        if (isSilent(data)) {
          if (!waitingNoted()) note(data.answer, "waiting-note");
        } else {
          renderBot(
            {
              id: data.message_id,
              text: data.answer,
              html: data.answer_html,
              action: data.action,
              sources: data.sources,
              choices: data.choices
            },
            true
          );
          if (data.handoff_offered && !handoffActive()) showHandoffForm(false);
        }
        scrollToEnd();
        updateChrome();
        if (handoffActive()) poll();
      },
      function (error) {
        showTyping(false);
        state.pendingCustomer = state.pendingCustomer.filter(function (each) {
          return each !== pending;
        });
        item.remove();
        retired.forEach(function (group) {
          group.hidden = false;
        });
        undo();
        note(problemText(error) + " Your message was not sent.", "error-note", "error");
      }
    );
  }

  function forgetConversation() {
    state.conversationId = null;
    state.cursor = 0;
    state.shown = {};
    state.handoff = null;
    state.ended = false;
    clearTimeout(state.pollTimer);
    persist();
    updateChrome();
  }

  function restore() {
    serial(function () {
      return api("GET", conversationPath("?after=0"));
    }).then(
      function (data) {
        if (data.ended) {
          forgetConversation();
          return;
        }
        applyConversation(data, false);
        var last = data.messages[data.messages.length - 1];
        if (last && last.role === "bot" && last.handoff_offered && !state.handoff) showHandoffForm(false);
        if (state.handoff && state.handoff.status === "resolved") offerSurvey(false);
        scrollToEnd();
        schedulePoll();
      },
      function (error) {
        if (error instanceof ApiError && error.status === 404) forgetConversation();
      }
    );
  }

  // -- agents' replies --------------------------------------------------------------------------------

  function handoffActive() {
    return !!state.handoff && state.handoff.status !== "resolved" && !state.ended;
  }

  function schedulePoll() {
    clearTimeout(state.pollTimer);
    state.pollTimer = null;
    if (!state.conversationId || !handoffActive()) return;
    var delay = state.open && !document.hidden ? POLL_OPEN_MS : POLL_CLOSED_MS;
    state.pollTimer = setTimeout(poll, delay);
  }

  function poll() {
    clearTimeout(state.pollTimer);
    if (!state.conversationId) return;
    serial(function () {
      return api("GET", conversationPath("?after=" + state.cursor)).then(function (data) {
        applyConversation(data, true);
      });
    })
      .catch(function (error) {
        if (error instanceof ApiError && error.status === 404) forgetConversation();
      })
      .then(schedulePoll);
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && handoffActive()) poll();
  });

  // -- handing off to a person ------------------------------------------------------------------------

  function loadAvailability() {
    var notice = $("kb-handoff-notice");
    if (state.availability) {
      notice.textContent = state.availability.notice;
      return;
    }
    api("GET", "/availability").then(function (data) {
      if (!data || typeof data.notice !== "string") return;
      state.availability = data;
      var current = $("kb-handoff-notice");
      if (current) current.textContent = data.notice;
    }, function () {});
  }

  function fillIdentity() {
    var email = $("kb-handoff-email");
    var name = $("kb-handoff-name");
    if (email && !email.value) email.value = state.identity.email;
    if (name && !name.value) name.value = state.identity.name;
  }

  function fieldError(text) {
    var message = $("kb-handoff-email-error");
    var email = $("kb-handoff-email");
    message.textContent = text || "";
    message.hidden = !text;
    if (text) email.setAttribute("aria-invalid", "true");
    else email.removeAttribute("aria-invalid");
  }

  function showHandoffForm(moveFocus) {
    if (handoffActive()) {
      note("Our team already has your request; a person will reply here.", "waiting-note");
      return;
    }
    var form = $("kb-handoff-form");
    if (form) {
      list.appendChild(form.parentNode); // one form, moved to the end of the conversation
    } else {
      list.appendChild(document.importNode($("kb-handoff-template").content, true));
      form = $("kb-handoff-form");
      form.addEventListener("submit", submitHandoff);
      $("kb-handoff-cancel").addEventListener("click", function () {
        form.parentNode.remove();
        input.focus();
      });
    }
    fillIdentity();
    loadAvailability();
    scrollToEnd();
    if (moveFocus) $("kb-handoff-email").focus();
  }

  function ensureConversation() {
    if (state.conversationId && !state.ended) return Promise.resolve();
    if (state.ended) forgetConversation();
    var item = renderCustomer(TALK_TO_PERSON);
    state.pendingCustomer.push({ text: TALK_TO_PERSON, item: item });
    return postChat(TALK_TO_PERSON).then(function (data) {
      adoptTurn(data);
      state.shown[data.message_id] = true; // the bot's offer: the form on screen answers it
    });
  }

  function submitHandoff(event) {
    event.preventDefault();
    var form = event.target;
    var email = $("kb-handoff-email").value.trim();
    var name = $("kb-handoff-name").value.trim();
    var message = $("kb-handoff-message").value.trim();
    var formError = $("kb-handoff-error");
    formError.hidden = true;
    if (!EMAIL.test(email)) {
      fieldError(email ? "Enter a valid email address, like name@example.com." : "Enter your email address.");
      $("kb-handoff-email").focus();
      return;
    }
    fieldError("");
    var submit = $("kb-handoff-submit");
    submit.disabled = true;
    submit.textContent = "Sending…";
    serial(function () {
      return ensureConversation().then(function () {
        return api("POST", conversationPath("/handoff"), { email: email, name: name, message: message });
      });
    }).then(
      function (data) {
        state.handoff = { id: data.id, status: data.status };
        form.parentNode.remove();
        var notice = data.availability && typeof data.availability.notice === "string" ? data.availability.notice : "";
        var thanks = "Thanks" + (name ? ", " + name : "") + "! Our support team has your conversation. " + notice;
        note(thanks.trim(), "handoff-confirmation", "success");
        updateChrome();
        input.focus();
        schedulePoll();
      },
      function (error) {
        submit.disabled = false;
        submit.textContent = "Send to our team";
        var errors = (error instanceof ApiError && error.problem && error.problem.errors) || [];
        var emailProblem = errors.some(function (each) {
          return each.field === "email";
        });
        if (emailProblem) {
          fieldError("Enter a valid email address, like name@example.com.");
          $("kb-handoff-email").focus();
        } else {
          formError.textContent = problemText(error);
          formError.hidden = false;
        }
      }
    );
  }

  // -- the end: CSAT, CES (then NPS when due), then the conversation is closed --------------------------

  function offerSurvey(moveFocus) {
    if (!state.conversationId) return;
    var existing = $("kb-survey");
    if (!existing) {
      list.appendChild(document.importNode($("kb-survey-template").content, true));
      existing = $("kb-survey");
      existing.querySelectorAll("[data-score]").forEach(function (option) {
        option.addEventListener("click", function () {
          answerSurvey({ kind: "csat", score: parseInt(option.getAttribute("data-score"), 10) }, showEffortQuestion);
        });
      });
      existing.querySelectorAll("[data-choice]").forEach(function (option) {
        option.addEventListener("click", function () {
          answerSurvey({ kind: "ces", choice: option.getAttribute("data-choice") }, function (answered) {
            if (answered && answered.ask_nps) showNpsQuestion();
            else finishSurvey();
          });
        });
      });
      existing.querySelectorAll("[data-nps]").forEach(function (option) {
        option.addEventListener("click", function () {
          answerSurvey({ kind: "nps", score: parseInt(option.getAttribute("data-nps"), 10) }, finishSurvey);
        });
      });
      $("kb-survey-skip").addEventListener("click", function () {
        existing.remove();
        endConversation();
      });
    }
    scrollToEnd();
    if (moveFocus) {
      var current = ["kb-csat", "kb-ces", "kb-nps"].filter(function (id) {
        return !$(id).hidden;
      })[0];
      if (current) $(current + "-question").focus();
    }
  }

  function answerSurvey(answer, next) {
    var step = $("kb-" + answer.kind);
    var buttons = step.querySelectorAll("button");
    buttons.forEach(function (each) {
      each.disabled = true;
    });
    answer.conversation_id = state.conversationId;
    api("POST", "/surveys", answer).then(next, function (error) {
      if (error instanceof ApiError && error.status === 409) return next(); // answered before a reload
      buttons.forEach(function (each) {
        each.disabled = false;
      });
      note(problemText(error), "error-note", "error");
    });
  }

  function showEffortQuestion() {
    $("kb-csat").hidden = true;
    $("kb-ces").hidden = false;
    $("kb-ces-question").focus();
    scrollToEnd();
  }

  // Asked at most once per visitor in 90 days (the server says when): about us, not this chat.
  function showNpsQuestion() {
    $("kb-ces").hidden = true;
    $("kb-nps").hidden = false;
    $("kb-nps-question").focus();
    scrollToEnd();
  }

  function finishSurvey() {
    $("kb-ces").hidden = true;
    $("kb-nps").hidden = true;
    $("kb-survey-skip").remove();
    var thanks = $("kb-survey-thanks");
    thanks.hidden = false;
    thanks.focus();
    announce(thanks.textContent);
    endConversation();
  }

  function endConversation() {
    if (!state.conversationId) return;
    serial(function () {
      return api("POST", conversationPath("/end"));
    }).then(
      function () {
        forgetConversation();
        var ended = note("This chat has ended. Ask a new question any time.", "ended-note");
        var again = button("kb-button kb-button--quiet", "Start a new chat", "new-chat");
        again.id = "kb-new-chat";
        again.addEventListener("click", startOver);
        ended.appendChild(again);
        scrollToEnd();
        if (!document.activeElement || document.activeElement === document.body) input.focus();
      },
      function (error) {
        note(problemText(error), "error-note", "error");
      }
    );
  }

  function startOver() {
    while (list.children.length > 1) list.removeChild(list.lastChild); // keep the greeting
    state.pendingCustomer = [];
    forgetConversation();
    input.focus();
  }

  function updateChrome() {
    var endChat = $("kb-end-chat");
    if (endChat) endChat.hidden = !state.conversationId || state.ended;
    var talk = $("kb-talk-to-person");
    var status = $("kb-handoff-status");
    if (talk && status) {
      var waiting = handoffActive();
      talk.hidden = waiting;
      status.hidden = !waiting;
      status.textContent = !waiting
        ? ""
        : state.handoff.status === "assigned"
          ? "A person from our team is on it and will reply here."
          : "Our team has your request and will reply here.";
    }
  }

  // -- articles, read inside the widget ---------------------------------------------------------------

  var ALLOWED_TAGS = {
    A: 1, BLOCKQUOTE: 1, BR: 1, CODE: 1, EM: 1, H1: 1, H2: 1, H3: 1, H4: 1, H5: 1, H6: 1, HR: 1, IMG: 1,
    LI: 1, OL: 1, P: 1, PRE: 1, STRONG: 1, TABLE: 1, TBODY: 1, TD: 1, TH: 1, THEAD: 1, TR: 1, UL: 1
  };
  // The article's title is this view's h2, so its own headings move one level down.
  var HEADING_LEVEL = { H1: "h3", H2: "h3", H3: "h4", H4: "h5", H5: "h6", H6: "h6" };

  // A second allow-list after the server's: each element is rebuilt, never the markup itself.
  function copySafe(from, to) {
    Array.prototype.forEach.call(from.childNodes, function (node) {
      if (node.nodeType === Node.TEXT_NODE) {
        to.appendChild(document.createTextNode(node.data));
        return;
      }
      if (node.nodeType !== Node.ELEMENT_NODE) return;
      var tag = node.tagName;
      if (!ALLOWED_TAGS[tag]) {
        if (tag !== "SCRIPT" && tag !== "STYLE" && tag !== "TEMPLATE") copySafe(node, to);
        return;
      }
      var copy;
      if (tag === "A") {
        var url = webUrl(node.getAttribute("href") || "", true);
        copy = url ? link(url, undefined, "kb-link") : el("span");
        if (node.getAttribute("title")) copy.title = node.getAttribute("title");
      } else if (tag === "IMG") {
        var source = webUrl(node.getAttribute("src") || "");
        if (!source) return;
        copy = el("img");
        copy.src = source.href;
        copy.alt = node.getAttribute("alt") || "";
        copy.loading = "lazy";
      } else {
        copy = document.createElement(HEADING_LEVEL[tag] || tag.toLowerCase());
        var align = node.getAttribute("align");
        if ((tag === "TD" || tag === "TH") && /^(left|center|right)$/.test(align || "")) copy.setAttribute("align", align);
        if (tag === "PRE") copy.tabIndex = 0; // wide code scrolls: keyboard users need to reach it
        var id = node.getAttribute("id") || "";
        if (/^H[1-6]$/.test(tag) && SECTION_ID.test(id)) copy.setAttribute("data-kb-section", id); // a link's #section
      }
      copySafe(node, copy);
      to.appendChild(tag === "TABLE" ? tableScroll(copy) : copy);
    });
  }

  // A wide table scrolls sideways in a box of its own, which keyboard users can focus to scroll.
  function tableScroll(table) {
    var box = el("div", "kb-table-scroll");
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", "Table");
    box.tabIndex = 0;
    box.appendChild(table);
    return box;
  }

  function mainView() {
    return $(mode === "articles" ? "kb-articles" : "kb-chat");
  }

  // Open an article in the reader, at its section `section` (a heading's id, from a link's #hash) if given.
  function showArticle(slug, returnTo, section) {
    stopReading();
    state.articleReturn = returnTo || null;
    var view = $("kb-article-view");
    var title = $("kb-article-title");
    var status = $("kb-article-status");
    mainView().hidden = true;
    view.hidden = false;
    title.textContent = "";
    $("kb-article-meta").textContent = "";
    $("kb-article-body").replaceChildren();
    $("kb-article-link").hidden = true;
    status.textContent = "Loading the article…";
    api("GET", "/articles/" + encodeURIComponent(slug)).then(
      function (data) {
        if (view.hidden) return;
        status.textContent = "";
        title.textContent = data.title;
        var updated = new Date(data.updated_at);
        if (!isNaN(updated)) {
          $("kb-article-meta").textContent =
            "Updated " + updated.toLocaleDateString(undefined, { year: "numeric", month: "long", day: "numeric" });
        }
        var at = SECTION_ID.test(section || "") ? section : "";
        var page = webUrl(data.url);
        if (page) {
          $("kb-article-link").href = page.href + (at ? "#" + at : "");
          $("kb-article-link").hidden = false;
        }
        var parsed = new DOMParser().parseFromString(data.html, "text/html");
        var body = document.createDocumentFragment();
        copySafe(parsed.body, body);
        $("kb-article-body").replaceChildren(body);
        view.querySelector(".kb-scroll").scrollTop = 0;
        var heading = at && $("kb-article-body").querySelector('[data-kb-section="' + at + '"]');
        if (heading) {
          heading.tabIndex = -1; // the reader opens where the answer came from, read from its heading
          heading.focus();
        } else {
          title.focus();
        }
        if (typeof data.view_id === "number") state.reading = { viewId: data.view_id, since: Date.now(), seconds: 0 };
      },
      function (error) {
        status.textContent =
          error instanceof ApiError && error.status === 404
            ? "Sorry, this article is not available."
            : "Sorry, we couldn't open this article. " + problemText(error);
        $("kb-article-back").focus();
      }
    );
  }

  function closeArticle(moveFocus) {
    var view = $("kb-article-view");
    if (view.hidden) return;
    stopReading();
    view.hidden = true;
    mainView().hidden = false;
    if (!moveFocus) return;
    var back = state.articleReturn;
    if (back && document.contains(back)) back.focus();
    else focusDefault();
  }

  function pauseReading() {
    if (state.reading && state.reading.since) {
      state.reading.seconds += (Date.now() - state.reading.since) / 1000;
      state.reading.since = null;
    }
  }

  // Report how long the visitor read, as the help center's pages do, for agents and reports.
  function stopReading(leavingPage) {
    if (!state.reading) return;
    pauseReading();
    var reading = state.reading;
    state.reading = null;
    var seconds = Math.min(Math.round(reading.seconds * 10) / 10, 86400);
    api("POST", "/views/" + reading.viewId, { seconds: seconds }, { keepalive: !!leavingPage }).catch(function () {});
  }

  window.addEventListener("pagehide", function () {
    stopReading(true);
  });

  // -- articles mode: search --------------------------------------------------------------------------

  function searchResult(result) {
    var url = webUrl(result.url);
    if (!url || !SLUG.test(result.slug) || typeof result.title !== "string") return null;
    var anchor = el("a", "kb-result");
    anchor.href = url.href;
    anchor.target = "_blank";
    anchor.rel = "noopener noreferrer";
    anchor.setAttribute("data-testid", "search-result");
    anchor.setAttribute("data-slug", result.slug);
    anchor.appendChild(el("span", "kb-result__title", result.title));
    var table = null;
    if (typeof result.snippet_html === "string" && result.snippet_html) {
      // Rows of a table read only as a table; it scrolls on its own, so it sits beside the link, not in it.
      table = el("div", "kb-result__table");
      copySafe(new DOMParser().parseFromString(result.snippet_html, "text/html").body, table);
    } else if (typeof result.snippet === "string" && result.snippet) {
      anchor.appendChild(el("span", "kb-result__snippet", result.snippet));
    }
    anchor.addEventListener("click", function (event) {
      if (!isPlainClick(event)) return;
      event.preventDefault();
      showArticle(result.slug, anchor);
    });
    var item = el("li");
    item.appendChild(anchor);
    if (table) item.appendChild(table);
    return item;
  }

  function search(query) {
    var status = $("kb-search-status");
    var section = $("kb-results-section");
    var suggested = $("kb-suggested");
    if (!query) {
      section.hidden = true;
      status.textContent = "";
      if (suggested) suggested.hidden = false;
      return;
    }
    status.textContent = "Searching…";
    api("GET", "/search?q=" + encodeURIComponent(query) + "&limit=" + SEARCH_LIMIT).then(
      function (data) {
        var items = (data.results || []).map(searchResult).filter(Boolean);
        $("kb-search-results").replaceChildren.apply($("kb-search-results"), items);
        section.hidden = items.length === 0;
        if (suggested) suggested.hidden = items.length > 0;
        // Against the API's own `query` (whitespace normalized), not the text as typed.
        var corrected = typeof data.searched_for === "string" && data.searched_for !== data.query;
        status.textContent = items.length
          ? items.length + (items.length === 1 ? " article found" : " articles found") +
            (corrected ? " for “" + data.searched_for + "”." : ".")
          : "No articles match “" + query + "”. Try other words.";
      },
      function (error) {
        status.textContent = problemText(error);
      }
    );
  }

  // -- wiring -----------------------------------------------------------------------------------------

  function focusDefault() {
    if (!$("kb-article-view").hidden) $("kb-article-title").focus();
    else if (mode === "articles") $("kb-search").focus();
    else input.focus();
  }

  function autoGrow() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 140) + "px";
  }

  if (framed) {
    $("kb-close").hidden = false;
    $("kb-close").addEventListener("click", requestClose);
  } else {
    app.setAttribute("data-standalone", "");
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && framed) {
      event.preventDefault();
      requestClose();
    }
  });

  $("kb-article-back").addEventListener("click", function () {
    closeArticle(true);
  });

  document.querySelectorAll("[data-testid=suggested-article]").forEach(function (anchor) {
    anchor.addEventListener("click", function (event) {
      var slug = anchor.getAttribute("data-slug");
      if (!isPlainClick(event) || !SLUG.test(slug)) return;
      event.preventDefault();
      showArticle(slug, anchor);
    });
  });

  if (mode === "articles") {
    $("kb-search-form").addEventListener("submit", function (event) {
      event.preventDefault();
      search($("kb-search").value.trim());
    });
  } else {
    $("kb-composer").addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value;
      if (!text.trim()) {
        input.focus();
        return;
      }
      input.value = "";
      autoGrow();
      sendMessage(text);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        $("kb-send").click();
      }
    });
    input.addEventListener("input", autoGrow);
    $("kb-talk-to-person").addEventListener("click", function () {
      showHandoffForm(true);
    });
    $("kb-end-chat").addEventListener("click", function () {
      offerSurvey(true);
    });
    updateChrome();
    if (state.conversationId) restore();
  }

  var wasOpen = read(tab).open === true;
  if (!framed) focusDefault();
  tellHost({
    type: "kbbot:ready",
    open: wasOpen,
    theme: { brand: themeColor("--kb-brand"), contrast: themeColor("--kb-brand-contrast") }
  });
})();
