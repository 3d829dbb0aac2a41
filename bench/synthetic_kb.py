"""A synthetic help center of any size, recombined from the bundled sample articles.

Each article takes its title, introduction and questions from one sample article and two to four
`##` sections from others (with whatever sits under them), a qualifier in its title ("for
freelancers", "on the mobile app"...) and its numbers changed (amounts, days, error codes), so no
two articles are the same text, while the words, lengths and structure stay a real help center's.
The files are the format `kbbot sync` imports (YAML front matter, Markdown body), under one folder
per sample category. The same (count, seed) gives the same files.

    python bench/synthetic_kb.py DIRECTORY --count 1000 [--seed 0]
    kbbot sync DIRECTORY
"""

import argparse
import random
import re
from dataclasses import dataclass
from pathlib import Path

import frontmatter
import yaml

SAMPLE_ARTICLES = Path(__file__).resolve().parent.parent / "articles"
QUALIFIERS = (
    "for freelancers", "for agencies", "for small teams", "on the mobile app", "in the EU", "in the UK",
    "in the US", "for accountants", "with multiple currencies", "for new accounts", "on the Business plan",
    "on the Starter plan", "for nonprofits", "with two businesses", "after an upgrade", "for admins",
)  # fmt: skip
_SECTION = re.compile(r"^## ", re.MULTILINE)
# A number, or a list item's own number (group 1: kept, so lists still count 1, 2, 3).
_NUMBER = re.compile(r"^(\s*\d+\.\s)|\d+", re.MULTILINE)


@dataclass(frozen=True)
class SampleArticle:
    slug: str
    title: str
    category: str
    tags: tuple[str, ...]
    questions: tuple[str, ...]
    introduction: str  # the body before its first "## " heading
    sections: tuple[str, ...]  # each "## " section with what sits under it, heading included


def sample_articles(directory=SAMPLE_ARTICLES):
    """The published sample articles, each cut into its introduction and `##` sections."""
    found = []
    for path in sorted(Path(directory).rglob("*.md")):
        post = frontmatter.load(path)
        if post.get("status", "published") != "published":
            continue
        introduction, *sections = _SECTION.split(post.content)
        found.append(
            SampleArticle(
                slug=post.get("slug") or path.stem,
                title=post["title"],
                category=post.get("category") or path.parent.name.replace("-", " ").capitalize(),
                tags=tuple(post.get("tags") or ()),
                questions=tuple(post.get("questions") or ()),
                introduction=introduction.strip(),
                sections=tuple(f"## {section.strip()}" for section in sections),
            )
        )
    return found


def _renumbered(text, rng):
    """`text` with each number replaced by another of as many digits (a leading 0 kept)."""

    def other(match):
        if match[1]:
            return match[1]
        digits = match[0]
        if len(digits) == 1:
            return str(rng.randint(2, 9))
        first = "0" if digits[0] == "0" else str(rng.randint(1, 9))
        return first + "".join(str(rng.randint(0, 9)) for _ in digits[1:])

    return _NUMBER.sub(other, text)


def article_text(number, samples, rng):
    """(the relative file path, the file's text) of synthetic article `number`."""
    base = rng.choice(samples)
    qualifier = rng.choice(QUALIFIERS)
    donors = [s for s in rng.sample(samples, 4) if s.sections]
    sections = [rng.choice(donor.sections) for donor in donors[: rng.randint(2, 4)]]
    body = "\n\n".join(_renumbered(part, rng) for part in (base.introduction, *sections))
    front_matter = {
        "title": f"{base.title} {qualifier} ({number})",
        "slug": f"{base.slug}-{number}",
        "category": base.category,
        "tags": list(base.tags),
        "questions": [f"{question} {qualifier}" for question in base.questions],
    }
    header = yaml.safe_dump(front_matter, sort_keys=False, allow_unicode=True)
    folder = base.category.lower().replace(" ", "-")
    return f"{folder}/{base.slug}-{number}.md", f"---\n{header}---\n{body}\n"


def generate(directory, count, seed=0):
    """Write `count` synthetic articles under `directory` (created if missing); returns their paths."""
    rng = random.Random(seed)
    samples = sample_articles()
    paths = []
    for number in range(1, count + 1):
        relative, text = article_text(number, samples, rng)
        path = Path(directory) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    paths = generate(args.directory, args.count, args.seed)
    print(f"wrote {len(paths)} articles under {args.directory}")


if __name__ == "__main__":
    main()
