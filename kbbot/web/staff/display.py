"""How staff pages show times, durations, browsers and message text: pure functions for the templates.

The page scripts (static/staff-console.js) format the same way, so a value
updated by a poll reads like the one rendered by the server.
"""

import re
from datetime import datetime, timezone

from markupsafe import Markup, escape

# A Markdown link to an http(s) URL, or a bare http(s) URL: the links the widget makes clickable in an
# agent's reply too. Brackets and backslashes in a link's text may come escaped ("Dark mode \[beta\]");
# a backslash always takes the character after it, so each text is read one way only.
_LINK = re.compile(
    r"\[((?:\\[^\n]|[^\[\]\\\n])+)\]\((https?://[^\s()]+)\)|(https?://[^\s<>()]+[^\s<>().,;:!?'\"])"
)
_ESCAPED = re.compile(r"\\([\[\]\\])")


def duration(seconds):
    """A length of time for people: "45 s", "3 min 20 s", "2 h 5 min", "3 days"; "" for None."""
    if seconds is None:
        return ""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {rest} s" if rest and minutes < 10 else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days = hours // 24
    return f"{days} day" if days == 1 else f"{days} days"


def due(breached, seconds):
    """An SLA due time in words: "Overdue 25 min", "Due in 40 min"; "" when nothing is due."""
    if breached is None:
        return ""
    return f"Overdue {duration(seconds)}" if breached else f"Due in {duration(seconds)}"


def time_ago(moment, now=None):
    """How long ago `moment` was: "just now", "5 min ago", "2 h ago", "3 days ago"."""
    seconds = ((now or datetime.now(timezone.utc)) - moment).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    days = int(seconds // 86400)
    return f"{days} day ago" if days == 1 else f"{days} days ago"


def relative_to(moment, anchor):
    """`moment` against `anchor`: "4 min before the handoff", "at the handoff", "2 h after the handoff"."""
    seconds = (moment - anchor).total_seconds()
    if abs(seconds) < 1:
        return "at the handoff"
    return f"{duration(abs(seconds))} {'before' if seconds < 0 else 'after'} the handoff"


def absolute(moment):
    """A precise time, unambiguous for staff in any time zone: "Mar 5, 2026, 14:02 UTC"."""
    moment = moment.astimezone(timezone.utc)
    return f"{moment:%b} {moment.day}, {moment.year}, {moment:%H:%M} UTC"


_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"))
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def browser(user_agent):
    """A User-Agent header in a few words ("Chrome 124 on Windows"); "" when unknown."""
    if not user_agent:
        return ""
    name = next((label for token, label in _BROWSERS if token in user_agent), None)
    version = None
    if name is not None:
        token = next(token for token, label in _BROWSERS if label == name)
        found = re.search(re.escape(token) + r"(\d+)", user_agent)
        version = found[1] if found else None
    elif "Safari/" in user_agent and "Version/" in user_agent:
        name, version = "Safari", re.search(r"Version/(\d+)", user_agent)[1]
    system = next((label for token, label in _SYSTEMS if token in user_agent), None)
    words = " ".join(part for part in (name, version) if part)
    if system:
        words = f"{words} on {system}" if words else system
    return words


def decision(action_label, confidence, section_confidence, reason_label=None):
    """A bot reply's decision and how sure it was, in [0, 1]: "Answered · article 0.93 · section 0.88"
    (a confidence that is None is left out); with `reason_label` (the customer asked for a person),
    that reason instead of the confidences: "Offered a person · Asked for a person"."""
    if reason_label is not None:
        return f"{action_label} · {reason_label}"
    parts = [action_label]
    if confidence is not None:
        parts.append(f"article {confidence:.2f}")
    if section_confidence is not None:
        parts.append(f"section {section_confidence:.2f}")
    return " · ".join(parts)


def linked_text(text):
    """Text people wrote (a customer's or an agent's message, a note) as HTML: everything escaped,
    http(s) links (bare or Markdown) made into anchors that open in a new tab; line breaks are kept by
    the page's CSS. (A bot's Markdown is shown as `rendering.render_bot_message` renders it.)"""
    parts, last = [], 0
    for match in _LINK.finditer(text):
        url = match[2] or match[3]
        parts.append(escape(text[last : match.start()]))
        parts.append(
            Markup('<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>').format(
                url, _ESCAPED.sub(r"\1", match[1]) if match[1] else url
            )
        )
        last = match.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)
