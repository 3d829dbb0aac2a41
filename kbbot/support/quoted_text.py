"""The new part of an email: what the customer wrote above the quoted earlier mail and their signature.

mail-parser-reply finds the quote's header ("On Mon, 5 Jan 2026, Support wrote:", Outlook's
"From: / Sent:" block, "-----Original Message-----", in the languages below) and the signature
("-- ", "Best regards", "Sent from my iPhone"); lines quoted with ">" are dropped first, wherever
they are. Its patterns backtrack badly on long runs of blank lines (minutes on 100 kB of them), so
the text is tidied first (no trailing whitespace, at most one blank line in a row) and cut to
`MAX_SCANNED_CHARS`.
"""

import re

from mailparser_reply.parser import EmailMessage

# The languages whose "... wrote:" headers and sign-offs are recognised (English always is).
LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pl", "sv", "da")
MAX_SCANNED_CHARS = 20_000  # a reply is read to here; `mail_parsing` caps what is kept anyway
_BLANK_RUNS = re.compile(r"\n{3,}")


def tidy(text):
    """`text` with "\\n" line ends, no trailing whitespace on a line, at most one blank line in a row."""
    lines = (line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


def without_quoted_lines(text):
    """`text` without the lines quoted with ">" (an earlier mail, however the client laid it out)."""
    return "\n".join(line for line in text.split("\n") if not line.lstrip().startswith(">"))


def new_text(text):
    """What the writer added in an email body `text`: the quoted mail and the signature removed.

    "" when nothing is left (a mail that only quotes)."""
    scanned = tidy(without_quoted_lines(tidy(text)))[:MAX_SCANNED_CHARS]
    if not scanned:
        return ""
    parsed = EmailMessage(scanned, languages=list(LANGUAGES), keep_hyphen_lists=True).read()
    return tidy(parsed.replies[0].body) if parsed.replies else ""
