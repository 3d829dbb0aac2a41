"""What changed between two versions of an article: its fields, and its body line by line (difflib)."""

import difflib
from dataclasses import dataclass

from .source import ArticleSource

# (attribute of ArticleSource, label shown to editors), in the order the editor shows the fields
FIELDS = (
    ("title", "Title"),
    ("category", "Category"),
    ("tags", "Tags"),
    ("questions", "Alternate questions"),
    ("locale", "Locale"),
    ("status", "Status"),
)
CONTEXT_LINES = 3


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    old: str  # lists are shown one item per line; "" when unset
    new: str


@dataclass(frozen=True)
class Line:
    """One line of the body diff; a "hunk" line starts a group of changes and carries its position."""

    kind: str  # "hunk" | "context" | "removed" | "added"
    old_number: int | None  # 1-based line number in the old body (None for added and hunk lines)
    new_number: int | None  # 1-based line number in the new body (None for removed and hunk lines)
    text: str


@dataclass(frozen=True)
class Diff:
    fields: tuple[FieldChange, ...]
    lines: tuple[Line, ...]  # the changed body lines with CONTEXT_LINES of context, grouped in hunks

    @property
    def changed(self):
        return bool(self.fields or self.lines)

    @property
    def content_changed(self):
        """Whether what a customer reads or the bot answers from changed (anything but the status)."""
        return bool(self.lines) or any(change.name != "status" for change in self.fields)

    @property
    def added(self):
        return sum(line.kind == "added" for line in self.lines)

    @property
    def removed(self):
        return sum(line.kind == "removed" for line in self.lines)


def _shown(value):
    if value is None:
        return ""
    if isinstance(value, tuple):
        return "\n".join(value)
    return str(value)


def body_lines(old, new, context=CONTEXT_LINES):
    """The line diff of two texts: hunks of removed and added lines with `context` unchanged lines around."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    lines = []
    for group in matcher.get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        old_count, new_count = last[2] - first[1], last[4] - first[3]
        header = f"@@ -{first[1] + 1},{old_count} +{first[3] + 1},{new_count} @@"
        lines.append(Line("hunk", None, None, header))
        for tag, old_start, old_end, new_start, new_end in group:
            if tag == "equal":
                for offset, text in enumerate(old_lines[old_start:old_end]):
                    lines.append(Line("context", old_start + offset + 1, new_start + offset + 1, text))
                continue
            for offset, text in enumerate(old_lines[old_start:old_end]):
                lines.append(Line("removed", old_start + offset + 1, None, text))
            for offset, text in enumerate(new_lines[new_start:new_end]):
                lines.append(Line("added", None, new_start + offset + 1, text))
    return tuple(lines)


def diff(old: ArticleSource, new: ArticleSource, context=CONTEXT_LINES):
    """What changed from `old` to `new`: the fields that differ, then the body's changed lines."""
    fields = tuple(
        FieldChange(name, label, _shown(getattr(old, name)), _shown(getattr(new, name)))
        for name, label in FIELDS
        if getattr(old, name) != getattr(new, name)
    )
    return Diff(fields=fields, lines=body_lines(old.body, new.body, context))
