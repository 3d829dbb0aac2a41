/* kbbot agent console: live updates for the handoff queue and a handoff's page, article search, links.
 *
 * The pages work without this script: they are rendered by the server and every action is a POST
 * form. The script polls the staff API with the signed-in session (every POLL_MS while the tab is
 * visible; state-changing calls would carry the page's CSRF token in X-CSRFToken), so new handoffs
 * and new customer messages appear without a reload. Every node is built with DOM APIs and
 * textContent, and only http(s) URLs become links; the one HTML from the API is a bot answer's, which
 * the server rendered and sanitized (rendering.render_answer) for the page to show as it is.
 * Times, durations and confidences are formatted as kbbot/web/staff/display.py formats them on the server.
 */
(function () {
  "use strict";

  var POLL_MS = 4000;
  var MAX_POLL_MS = 60000; // after repeated failures
  var LONG_WAIT_SECONDS = 900;
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  // A Markdown link to an http(s) URL, or a bare http(s) URL (as display.linked_text and the widget).
  // Brackets and backslashes in a link's text may come escaped ("Dark mode \[beta\]"); UNESCAPE drops the "\".
  // A backslash always takes the character after it, so the pattern reads each text one way only.
  var LINK = /\[((?:\\[^\n]|[^[\]\\\n])+)\]\((https?:\/\/[^\s()]+)\)|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])/g;
  var UNESCAPE = /\\([[\]\\])/g;
  var ARTICLE_LINK = /\/articles\/([a-z0-9]+(?:-[a-z0-9]+)*)(?![a-z0-9-])/g;

  function $(id) {
    return document.getElementById(id);
  }

  var labelsNode = $("console-labels");
  if (!labelsNode) return;
  var labels = JSON.parse(labelsNode.dataset.labels);
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');

  // -- building the DOM safely -------------------------------------------------------------------------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function webUrl(value) {
    try {
      var url = new URL(value, location.href);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  function link(href, text, noReferrer) {
    var anchor = el("a", null, text);
    anchor.href = href;
    anchor.target = "_blank";
    anchor.rel = noReferrer ? "noopener noreferrer" : "noopener";
    return anchor;
  }

  // Text people wrote, with its http(s) links (bare or Markdown) made clickable; everything else stays text.
  function appendLinkedText(container, text) {
    var last = 0;
    var match;
    LINK.lastIndex = 0;
    while ((match = LINK.exec(text))) {
      var href = webUrl(match[2] || match[3]);
      if (!href) continue;
      container.appendChild(document.createTextNode(text.slice(last, match.index)));
      container.appendChild(link(href, match[1] ? match[1].replace(UNESCAPE, "$1") : match[3], true));
      last = LINK.lastIndex;
    }
    container.appendChild(document.createTextNode(text.slice(last)));
    return container;
  }

  // A bot answer: the server's sanitized HTML (the `html` of a transcript entry), parsed inert.
  function answerNode(html) {
    var node = el("div", "entry-answer");
    var parsed = new DOMParser().parseFromString(html, "text/html");
    node.append.apply(node, Array.prototype.slice.call(parsed.body.childNodes));
    return node;
  }

  // -- times, durations and confidences, as display.py writes them --------------------------------------

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "";
    seconds = Math.max(0, Math.round(seconds));
    if (seconds < 60) return seconds + " s";
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    if (minutes < 60) return rest && minutes < 10 ? minutes + " min " + rest + " s" : minutes + " min";
    var hours = Math.floor(minutes / 60);
    minutes %= 60;
    if (hours < 24) return minutes ? hours + " h " + minutes + " min" : hours + " h";
    var days = Math.floor(hours / 24);
    return days === 1 ? "1 day" : days + " days";
  }

  function timeAgo(moment, now) {
    var seconds = (now - moment) / 1000;
    if (seconds < 60) return "just now";
    if (seconds < 3600) return Math.floor(seconds / 60) + " min ago";
    if (seconds < 86400) return Math.floor(seconds / 3600) + " h ago";
    var days = Math.floor(seconds / 86400);
    return days === 1 ? "1 day ago" : days + " days ago";
  }

  function relativeTo(moment, anchor) {
    var seconds = (moment - anchor) / 1000;
    if (Math.abs(seconds) < 1) return "at the handoff";
    return duration(Math.abs(seconds)) + (seconds < 0 ? " before" : " after") + " the handoff";
  }

  function pad(number) {
    return (number < 10 ? "0" : "") + number;
  }

  function absolute(moment) {
    return (
      MONTHS[moment.getUTCMonth()] + " " + moment.getUTCDate() + ", " + moment.getUTCFullYear() + ", " +
      pad(moment.getUTCHours()) + ":" + pad(moment.getUTCMinutes()) + " UTC"
    );
  }

  function decision(actionLabel, confidence, sectionConfidence) {
    var parts = [actionLabel];
    if (confidence !== null && confidence !== undefined) parts.push("article " + confidence.toFixed(2));
    if (sectionConfidence !== null && sectionConfidence !== undefined) {
      parts.push("section " + sectionConfidence.toFixed(2));
    }
    return parts.join(" · ");
  }

  function timeNode(iso) {
    var node = el("time", null, absolute(new Date(iso)));
    node.setAttribute("datetime", iso);
    return node;
  }

  function refreshAgo() {
    var now = new Date();
    document.querySelectorAll("[data-ago]").forEach(function (node) {
      node.textContent = timeAgo(new Date(node.getAttribute("data-ago")), now);
    });
  }

  // -- the staff API ----------------------------------------------------------------------------------

  function api(url, options) {
    options = options || {};
    var headers = { Accept: "application/json" };
    if (options.method && options.method !== "GET" && csrfMeta) headers["X-CSRFToken"] = csrfMeta.content;
    return fetch(url, { method: options.method || "GET", credentials: "same-origin", headers: headers }).then(
      function (response) {
        if (!response.ok) {
          var error = new Error("HTTP " + response.status);
          error.status = response.status;
          throw error;
        }
        return response.json();
      }
    );
  }

  // Calls `refresh` (which returns a promise) every POLL_MS while the page is visible; slower after
  // failures; stops when the session ended (401/403), telling the agent why.
  function poll(refresh, onStopped) {
    var timer = null;
    var delay = POLL_MS;
    var stopped = false;

    function schedule() {
      clearTimeout(timer);
      if (!stopped && !document.hidden) timer = setTimeout(tick, delay);
    }

    function tick() {
      refresh().then(
        function () {
          delay = POLL_MS;
          schedule();
        },
        function (error) {
          if (error.status === 401 || error.status === 403) {
            stopped = true;
            onStopped("Live updates stopped: you are signed out. Reload the page to sign in again.");
            return;
          }
          delay = Math.min(delay * 2, MAX_POLL_MS);
          schedule();
        }
      );
    }

    document.addEventListener("visibilitychange", function () {
      if (document.hidden) clearTimeout(timer);
      else if (!stopped) tick(); // catch up at once when the agent comes back
    });
    schedule();
  }

  function say(node, text) {
    // Cleared first, so that the same words twice are announced twice.
    node.textContent = "";
    setTimeout(function () {
      node.textContent = text;
    }, 50);
  }

  // -- the queue --------------------------------------------------------------------------------------

  var QUEUE_QUERIES = { open: "?status=open", mine: "?status=assigned&mine=1", all: "", resolved: "?status=resolved" };

  function queueRow(entry, me, handoffUrl) {
    var row = el("tr");
    row.setAttribute("data-handoff-id", entry.id);

    var who = el("td");
    var anchor = el("a", "queue-customer", entry.name || entry.email);
    anchor.href = handoffUrl.replace(/0$/, String(entry.id));
    who.appendChild(anchor);
    if (entry.name) who.appendChild(el("span", "sub", entry.email));
    row.appendChild(who);

    row.appendChild(el("td", "queue-question", entry.first_question || "(no question)"));
    row.appendChild(el("td", null, labels.reasons[entry.reason] || entry.reason));

    var waited = el("td");
    if (entry.first_reply_at) {
      waited.appendChild(el("span", "waited", "Replied after " + duration(entry.waiting_seconds)));
    } else {
      var long = entry.waiting_seconds >= LONG_WAIT_SECONDS ? " waiting-long" : "";
      waited.appendChild(el("span", "waiting" + long, "Waiting " + duration(entry.waiting_seconds)));
    }
    row.appendChild(waited);

    var assignee = el("td");
    if (entry.assignee) assignee.textContent = entry.assignee === me ? "You" : entry.assignee;
    else assignee.appendChild(el("span", "sub", "Nobody"));
    row.appendChild(assignee);

    var status = el("td");
    var statusText = entry.status.charAt(0).toUpperCase() + entry.status.slice(1);
    status.appendChild(el("span", "status status-" + entry.status, statusText));
    row.appendChild(status);
    return row;
  }

  function initQueue(root) {
    var tab = root.getAttribute("data-tab");
    var me = root.getAttribute("data-me");
    var handoffUrl = root.getAttribute("data-handoff-url");
    var url = root.getAttribute("data-api") + QUEUE_QUERIES[tab];
    var rows = $("queue-rows");
    var empty = $("queue-empty");
    var live = $("queue-live");
    var baseTitle = document.title;
    var known = {};
    var shown = [];
    rows.querySelectorAll("tr[data-handoff-id]").forEach(function (row) {
      known[row.getAttribute("data-handoff-id")] = true;
    });

    function refresh() {
      return api(url).then(function (data) {
        var counts = {
          open: data.counts.open,
          mine: data.assigned_to_me,
          all: data.counts.open + data.counts.assigned + data.counts.resolved,
          resolved: data.counts.resolved,
        };
        Object.keys(counts).forEach(function (key) {
          var node = root.querySelector('[data-count="' + key + '"]');
          if (node) node.textContent = String(counts[key]);
        });
        var fresh = 0;
        var built = data.handoffs.map(function (entry) {
          var row = queueRow(entry, me, handoffUrl);
          if (!known[entry.id]) {
            fresh += 1;
            row.classList.add("is-new");
            known[entry.id] = true;
          }
          return row;
        });
        var now = built.map(function (row) {
          return row.getAttribute("data-handoff-id") + ":" + row.textContent;
        });
        if (now.join("\n") !== shown.join("\n")) {
          // Rebuilt only when something changed; keyboard focus stays on the same handoff's link.
          var focused = rows.contains(document.activeElement) && document.activeElement.closest("tr");
          var focusedId = focused && focused.getAttribute("data-handoff-id");
          rows.replaceChildren.apply(rows, built);
          var again = focusedId && rows.querySelector('tr[data-handoff-id="' + focusedId + '"] a');
          if (again) again.focus();
          shown = now;
        }
        empty.hidden = built.length > 0;
        document.title = (counts.open ? "(" + counts.open + ") " : "") + baseTitle;
        if (fresh) say(live, fresh === 1 ? "1 new handoff." : fresh + " new handoffs.");
      });
    }

    poll(refresh, function (message) {
      say(live, message);
    });
  }

  // -- a handoff --------------------------------------------------------------------------------------

  function seenPhrase(seen, handedOffAt) {
    var words = labels.seen[seen.how] + " " + relativeTo(new Date(seen.at), handedOffAt);
    if (seen.how === "read") {
      if (seen.seconds !== null) words += ", for " + duration(seen.seconds);
      if (labels.via[seen.via]) words += ", " + labels.via[seen.via];
    }
    return words;
  }

  function initHandoff(root) {
    var timeline = $("timeline");
    var live = $("handoff-live");
    var reply = $("reply-text");
    var warning = $("reply-warning");
    var list = $("suggestions");
    var customer = root.getAttribute("data-customer");
    var me = root.getAttribute("data-me");
    var handedOffAt = new Date(root.getAttribute("data-handed-off-at"));
    var articleUrl = root.getAttribute("data-article-url");
    var shown = { status: root.getAttribute("data-status"), assignee: root.getAttribute("data-assignee") };
    var seenBySlug = {}; // slug -> {title, phrases}: what the customer already saw, for the draft check

    function articleHref(slug) {
      return articleUrl.replace(/SLUG$/, encodeURIComponent(slug));
    }

    function entryNode(entry) {
      var item = el("li", "entry entry-" + entry.role);
      item.setAttribute("data-entry", entry.kind + "-" + entry.id);
      item.setAttribute("data-testid", "entry-" + entry.role);
      var meta = el("p", "entry-meta");
      if (entry.role === "customer") {
        meta.appendChild(el("span", "entry-author", customer));
        if (entry.choice) {
          var picked = meta.appendChild(el("span", "tag", "Picked a suggestion"));
          picked.setAttribute("data-testid", "picked");
        }
      } else if (entry.role === "bot") {
        meta.appendChild(el("span", "entry-author", "Bot"));
        if (entry.action) {
          var tag = el(
            "span",
            "tag",
            decision(labels.actions[entry.action] || entry.action, entry.confidence, entry.section_confidence)
          );
          tag.setAttribute("data-testid", "decision");
          tag.title = "The bot's decision; its confidence that the article, and the section, answer";
          meta.appendChild(tag);
        }
        if (entry.helpful === true || entry.helpful === false) {
          meta.appendChild(
            el(
              "span",
              entry.helpful ? "tag tag-good" : "tag tag-bad",
              entry.helpful ? "Customer: helpful" : "Customer: not helpful"
            )
          );
        }
      } else if (entry.role === "agent") {
        meta.appendChild(el("span", "entry-author", entry.author || "Support team"));
        meta.appendChild(el("span", "tag", "Agent reply"));
      } else {
        meta.appendChild(el("span", "tag tag-internal", "Internal note"));
        meta.appendChild(el("span", "entry-author", entry.author || "Staff"));
      }
      meta.appendChild(timeNode(entry.at));
      item.appendChild(meta);
      item.appendChild(
        entry.role === "bot" ? answerNode(entry.html) : appendLinkedText(el("div", "entry-text"), entry.text)
      );
      if (entry.role === "bot" && entry.choices && entry.choices.length) {
        var choices = el("ul", "entry-choices");
        choices.setAttribute("aria-label", "Choices the bot offered");
        choices.setAttribute("data-testid", "choices-offered");
        entry.choices.forEach(function (choice) {
          var row = el("li");
          var href = articleHref(choice.slug) + (choice.anchor ? "#" + choice.anchor : "");
          row.appendChild(link(href, choice.section || choice.title));
          if (choice.section) {
            row.appendChild(document.createTextNode(" "));
            row.appendChild(el("span", "sub", "in " + choice.title));
          }
          row.appendChild(document.createTextNode(" "));
          row.appendChild(el("span", "sub", choice.probability.toFixed(2)));
          choices.appendChild(row);
        });
        item.appendChild(choices);
      } else if (entry.role === "bot" && entry.sources && entry.sources.length) {
        var sources = el("ul", "entry-sources");
        sources.setAttribute("aria-label", "Articles the bot gave");
        entry.sources.forEach(function (source) {
          var row = el("li");
          row.appendChild(link(articleHref(source.slug), source.title));
          sources.appendChild(row);
        });
        item.appendChild(sources);
      }
      if (entry.role === "bot" && entry.handoff_offered) {
        item.appendChild(el("p", "entry-offer", "Offered a person: " + (labels.reasons[entry.offer_reason] || "")));
      }
      return item;
    }

    // What the customer does in the help center while waiting (read, searched) joins "Since the handoff".
    var activityAfter = $("activity-after");
    var activityAfterList = $("activity-after-list");

    function activityKey(kind, at, name) {
      return kind + "-" + Math.floor(new Date(at).getTime() / 1000) + "-" + (name || "");
    }

    function activityNode(item) {
      var node = el("li", "activity activity-" + item.kind);
      node.setAttribute("data-testid", item.kind === "view" ? "viewed-article" : "search");
      var what = node.appendChild(el("p", "activity-what"));
      var how = node.appendChild(el("p", "activity-how"));
      if (item.kind === "view") {
        what.appendChild(el("span", "tag", "Read"));
        what.appendChild(document.createTextNode(" "));
        var title = item.title || item.slug || "An article";
        what.appendChild(item.slug ? link(articleHref(item.slug), title) : document.createTextNode(title));
        how.textContent =
          (item.seconds !== null ? "for " + duration(item.seconds) : "time on page not reported") + ", " +
          (labels.via[item.via] || "way in unknown") + (item.during_conversation ? " (during the chat)" : "");
      } else {
        what.appendChild(el("span", "tag", "Searched"));
        what.appendChild(document.createTextNode(" “" + (item.query || "") + "”"));
        if (item.results === 0) how.appendChild(el("strong", "no-results", "No results"));
        else if (item.results !== null) how.textContent = item.results + (item.results === 1 ? " result" : " results");
        if (item.top_results.length) {
          how.appendChild(document.createTextNode(", first:"));
          var results = node.appendChild(el("ul", "activity-results"));
          item.top_results.forEach(function (result) {
            results.appendChild(el("li")).appendChild(link(articleHref(result.slug), result.title));
          });
        }
      }
      var when = node.appendChild(el("p", "activity-when"));
      when.appendChild(timeNode(item.at));
      when.appendChild(document.createTextNode(", "));
      var ago = when.appendChild(el("span", null, timeAgo(new Date(item.at), new Date())));
      ago.setAttribute("data-ago", item.at);
      when.appendChild(document.createTextNode(" (" + relativeTo(new Date(item.at), handedOffAt) + ")"));
      return node;
    }

    function showNewActivity(context) {
      var shownKeys = {};
      activityAfterList.querySelectorAll("[data-activity]").forEach(function (node) {
        shownKeys[node.getAttribute("data-activity")] = true;
      });
      var items = context.viewed_articles
        .map(function (view) {
          return Object.assign({ kind: "view", key: activityKey("view", view.at, view.slug) }, view);
        })
        .concat(
          context.searches.map(function (search) {
            return Object.assign({ kind: "search", key: activityKey("search", search.at, search.query) }, search);
          })
        )
        .filter(function (item) {
          return !item.before_handoff && !shownKeys[item.key];
        })
        .sort(function (a, b) {
          return new Date(a.at) - new Date(b.at);
        });
      items.forEach(function (item) {
        var node = activityNode(item);
        node.setAttribute("data-activity", item.key);
        node.classList.add("is-new");
        activityAfterList.appendChild(node);
      });
      if (items.length) {
        activityAfter.hidden = false;
        say(live, customer + " is using the help center: see “Since the handoff”.");
      }
    }

    function statusText(handoff) {
      var text = labels.statuses[handoff.status];
      if (handoff.resolution_reason) text += ": " + labels.resolutions[handoff.resolution_reason];
      return text;
    }

    function refresh() {
      return api(root.getAttribute("data-api")).then(function (context) {
        var entries = context.transcript
          .map(function (entry) {
            return Object.assign({ kind: "message" }, entry);
          })
          .concat(
            context.notes.map(function (note) {
              return Object.assign({ kind: "note", role: "note" }, note);
            })
          )
          .sort(function (a, b) {
            return new Date(a.at) - new Date(b.at);
          });
        var fromCustomer = 0;
        entries.forEach(function (entry) {
          if (timeline.querySelector('[data-entry="' + entry.kind + "-" + entry.id + '"]')) return;
          var node = entryNode(entry);
          node.classList.add("is-new");
          timeline.appendChild(node);
          if (entry.role === "customer") fromCustomer += 1;
        });
        if (fromCustomer) say(live, "New message from " + customer + ".");
        showNewActivity(context);

        var handoff = context.handoff;
        if (handoff.status !== shown.status || (handoff.assignee || "") !== shown.assignee) {
          shown = { status: handoff.status, assignee: handoff.assignee || "" };
          $("handoff-status").textContent = statusText(handoff);
          $("handoff-status").className = "status status-" + handoff.status;
          $("handoff-assignee").textContent = handoff.assignee
            ? "Assigned to " + (handoff.assignee === me ? "you" : handoff.assignee)
            : "Not assigned";
          say(live, "This handoff changed (" + statusText(handoff) + "). Reload the page for its actions.");
        }
        refreshAgo();
      });
    }

    // Suggestions: flags, "Insert link", and searching without leaving the page.

    function rememberSeen(slug, title, phrases) {
      if (phrases.length) seenBySlug[slug] = { title: title, phrases: phrases };
    }

    function insertButton(item) {
      var button = el("button", "insert-link", "Insert link");
      button.type = "button";
      button.setAttribute("data-testid", "insert-link");
      button.appendChild(el("span", "visually-hidden", " to “" + item.getAttribute("data-title") + "” in the reply"));
      var flag = item.querySelector(".seen-flag");
      if (flag) button.setAttribute("aria-describedby", flag.id);
      item.appendChild(button);
    }

    function suggestionNode(article) {
      var item = el("li", "suggestion" + (article.seen.length ? " suggestion-seen" : ""));
      item.setAttribute("data-testid", "suggestion");
      item.setAttribute("data-slug", article.slug);
      item.setAttribute("data-title", article.title);
      item.setAttribute("data-url", article.url);
      var title = el("p", "suggestion-title");
      title.appendChild(link(webUrl(article.url) || articleHref(article.slug), article.title));
      item.appendChild(title);
      if (article.seen.length) {
        var flag = el("div", "seen-flag");
        flag.id = "seen-" + article.slug;
        flag.setAttribute("data-testid", "already-seen");
        var read = article.seen.some(function (seen) {
          return seen.how === "read";
        });
        var heading = el("p");
        heading.appendChild(el("strong", null, read ? "Already read by the customer" : "Already sent to the customer"));
        flag.appendChild(heading);
        var items = el("ul");
        var phrases = article.seen.map(function (seen) {
          return seenPhrase(seen, handedOffAt);
        });
        phrases.forEach(function (phrase) {
          items.appendChild(el("li", null, phrase));
        });
        flag.appendChild(items);
        item.appendChild(flag);
        rememberSeen(article.slug, article.title, phrases);
      }
      if (article.snippet_html) {
        var table = answerNode(article.snippet_html); // rows of a table read only as a table
        table.classList.add("suggestion-snippet");
        item.appendChild(table);
      } else {
        var snippet = article.snippet.length > 220 ? article.snippet.slice(0, 217) + "..." : article.snippet;
        item.appendChild(el("p", "suggestion-snippet", snippet));
      }
      if (reply) insertButton(item);
      return item;
    }

    function checkDraft() {
      if (!reply || !warning) return;
      var found = [];
      var match;
      ARTICLE_LINK.lastIndex = 0;
      while ((match = ARTICLE_LINK.exec(reply.value))) {
        var seen = seenBySlug[match[1]];
        if (seen && found.indexOf(seen) < 0) found.push(seen);
      }
      warning.textContent = found
        .map(function (seen) {
          return customer + " already saw “" + seen.title + "”: " + seen.phrases.join("; ") + ".";
        })
        .join(" ");
    }

    function insertLink(item) {
      var text = "[" + item.getAttribute("data-title") + "](" + item.getAttribute("data-url") + ")";
      var start = reply.selectionStart;
      var end = reply.selectionEnd;
      var before = reply.value.slice(0, start);
      var spaced = (before && !/\s$/.test(before) ? " " : "") + text;
      reply.setRangeText(spaced, start, end, "end");
      reply.focus();
      checkDraft();
    }

    list.querySelectorAll(".suggestion").forEach(function (item) {
      var phrases = Array.prototype.map.call(item.querySelectorAll(".seen-flag li"), function (node) {
        return node.textContent;
      });
      rememberSeen(item.getAttribute("data-slug"), item.getAttribute("data-title"), phrases);
      item.querySelector(".suggestion-link").hidden = true; // the button replaces copying the URL
      if (reply) insertButton(item);
    });

    list.addEventListener("click", function (event) {
      var button = event.target.closest("button.insert-link");
      if (button && reply) insertLink(button.closest(".suggestion"));
    });

    var search = $("article-search");
    var query = $("article-query");
    var status = $("suggestions-for");
    search.addEventListener("submit", function (event) {
      event.preventDefault();
      var q = query.value.trim();
      var url = root.getAttribute("data-suggestions-api") + (q ? "?q=" + encodeURIComponent(q) : "");
      status.textContent = "Searching…";
      api(url).then(
        function (data) {
          list.replaceChildren.apply(list, data.articles.map(suggestionNode));
          $("suggestions-empty").hidden = data.articles.length > 0;
          say(
            status,
            (q ? "Results for “" + q + "”" : "From the customer's questions") +
              ": " + data.articles.length + (data.articles.length === 1 ? " article." : " articles.")
          );
        },
        function () {
          status.textContent = "The search failed. Try again.";
        }
      );
    });

    if (reply) {
      reply.addEventListener("input", checkDraft);
      reply.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) reply.form.requestSubmit();
      });
    }

    poll(refresh, function (message) {
      say(live, message);
    });
  }

  var queue = $("queue");
  if (queue) initQueue(queue);
  var handoff = $("handoff");
  if (handoff) initHandoff(handoff);
})();
