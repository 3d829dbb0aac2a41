"""Placeholders in saved replies, and filling them for one handoff and one agent.

The syntax: a name in braces, `{customer_first_name}`, or `{article:SLUG}` for a help-center
article (its title linked to its public URL, in the Markdown the chat shows as a link). `{{` and `}}`
write a literal brace. Names are lower case; spaces inside the braces are ignored. A missing value
falls back to words that read naturally ("Hi {customer_first_name}," becomes "Hi there,"); a
placeholder that cannot be filled (an unknown name, an article that is gone) is left as written, so
the agent sees it in the composer before sending, and is reported in `Rendered.unfilled`.
"""

import re
from dataclasses import dataclass, field

ARTICLE = "article:"
NO_CUSTOMER_NAME = "there"  # "Hi {customer_first_name}," -> "Hi there,"
NO_AGENT_NAME = "the support team"
# Each name and what it stands for, as the saved-replies page documents them.
NAMES = {
    "customer_name": f"the customer's name as they gave it (“{NO_CUSTOMER_NAME}” when they gave none)",
    "customer_first_name": f"the first word of it (“{NO_CUSTOMER_NAME}” when they gave none)",
    "customer_email": "the email address they left",
    "agent_name": f"your name, as the team page shows it (“{NO_AGENT_NAME}” when you have none)",
    "agent_first_name": f"the first word of your name (“{NO_AGENT_NAME}” when you have none)",
}
# A placeholder, or an escaped brace; a brace that opens nothing stays as it is.
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}\n]{1,210})\}")


@dataclass(frozen=True)
class Values:
    """What placeholders are filled with: the handoff's customer, the agent, and the articles a body
    names (slug -> (title, public URL); published ones only)."""

    customer_name: str = ""
    customer_email: str = ""
    agent_name: str = ""
    articles: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Rendered:
    text: str
    unfilled: tuple[str, ...]  # placeholders left as written, e.g. ("{article:gone}",)


def _first_word(name):
    words = name.split()
    return words[0] if words else ""


def _fill(name, values: Values):
    """The text for placeholder `name`, or None when it cannot be filled."""
    if name.startswith(ARTICLE):
        found = values.articles.get(name.removeprefix(ARTICLE).strip())
        if found is None:
            return None
        title, url = found
        return f"[{title.replace('[', '(').replace(']', ')')}]({url})"
    fillers = {
        "customer_name": values.customer_name.strip() or NO_CUSTOMER_NAME,
        "customer_first_name": _first_word(values.customer_name) or NO_CUSTOMER_NAME,
        "customer_email": values.customer_email,
        "agent_name": values.agent_name.strip() or NO_AGENT_NAME,
        "agent_first_name": _first_word(values.agent_name) or NO_AGENT_NAME,
    }
    return fillers.get(name)


def names_in(body):
    """The placeholders of `body` as written inside their braces, stripped, in order, each once."""
    found = [match[1].strip() for match in _TOKEN.finditer(body) if match[1] is not None]
    return list(dict.fromkeys(found))


def unknown_names(body):
    """The placeholders of `body` that are neither a known name nor `article:SLUG`, as written."""
    return [name for name in names_in(body) if name not in NAMES and not name.startswith(ARTICLE)]


def article_slugs(body):
    """The slugs `body` names in `{article:SLUG}`, each once."""
    return [name.removeprefix(ARTICLE).strip() for name in names_in(body) if name.startswith(ARTICLE)]


def render(body, values: Values) -> Rendered:
    """`body` with its placeholders filled from `values` and escaped braces made single."""
    unfilled = []

    def substitute(match):
        if match[1] is None:  # "{{" or "}}"
            return match[0][0]
        filled = _fill(match[1].strip(), values)
        if filled is None:
            unfilled.append(match[0])
            return match[0]
        return filled

    text = _TOKEN.sub(substitute, body)
    return Rendered(text=text, unfilled=tuple(dict.fromkeys(unfilled)))
