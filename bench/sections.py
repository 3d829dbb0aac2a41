"""Write measured results into a marked section of a Markdown file, keeping the rest by hand."""

from pathlib import Path


def replace_section(path: Path, name, lines):
    """Replace the text between `<!-- name -->` and `<!-- /name -->` in `path` (appended if absent)."""
    start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    body = "\n".join([start, *lines, end])
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + body + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + body + "\n"
    path.write_text(text, encoding="utf-8")
