"""Each lever's "how it can fail or backfire" text, read from the lever guide ``docs/levers.md``.

The guide has one ``### ... (`lever_name`)`` section per lever with a paragraph that begins
``**How it can fail or backfire.**``. The texts are not copied into the code: the browser app
and the comparison report read them from the guide, which is rewritten as the model changes, so
both stay in step with it. A lever whose section or paragraph is missing simply gets no text.
The guide is installed with the package (``shipped/levers.md`` links to ``docs/levers.md`` in
the source tree and is copied into the wheel), so an installed copy has the texts too.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

LEVERS_GUIDE = Path(__file__).resolve().parent / "shipped" / "levers.md"
# A level-3 heading that ends with the parameter's name in backticks, in brackets.
_SECTION = re.compile(r"^###\s+(?P<title>.*?)\s*\(`(?P<name>[a-z_][a-z0-9_]*)`\)\s*$", re.M)
# The paragraph that starts with a bold lead mentioning failure or backfiring.
_BACKFIRE = re.compile(r"^\*\*[^*\n]*(?:backfire|fail)[^*\n]*\*\*\s*(?P<text>.*)$", re.I | re.M)
_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)


def _plain(markdown: str) -> str:
    """Markdown of one paragraph as plain text: no line breaks, backticks, bold or links."""
    text = _LINK.sub(r"\1", " ".join(markdown.split()))
    return text.replace("**", "").replace("`", "")


def parse_backfire(guide: str) -> dict[str, str]:
    """``{lever name: its "how it can fail or backfire" paragraph, in plain text}``.

    Sections are found by their ``### ... (`name`)`` heading; the paragraph runs from its bold
    lead to the next blank line. Sections without such a paragraph are left out.
    """
    guide = _HTML_COMMENT.sub("", guide)
    headings = list(_SECTION.finditer(guide))
    found: dict[str, str] = {}
    for k, heading in enumerate(headings):
        end = headings[k + 1].start() if k + 1 < len(headings) else len(guide)
        section = guide[heading.end() : end]
        section = re.split(r"^#{1,3}\s", section, maxsplit=1, flags=re.M)[0]
        match = _BACKFIRE.search(section)
        if match is None:
            continue
        paragraph = section[match.start("text") :].split("\n\n", 1)[0]
        text = _plain(paragraph)
        if text:
            found.setdefault(heading["name"], text)
    return found


@cache
def backfire_texts(path: Path = LEVERS_GUIDE) -> dict[str, str]:
    """The backfire paragraphs of the lever guide at ``path`` (empty if it cannot be read)."""
    try:
        return parse_backfire(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return {}


_NUMBERING = re.compile(r"^(?:\d+[a-z]?\.\s+|Condition\s+\d+:\s+)", re.I)


def parse_titles(guide: str) -> dict[str, str]:
    """``{lever name: its plain name}`` from the guide's ``### ... (`name`)`` headings, without
    their numbering: "### 1. Rights and entitlements decided democratically
    (`deliberation_inclusion`)" gives "Rights and entitlements decided democratically"."""
    found: dict[str, str] = {}
    for heading in _SECTION.finditer(_HTML_COMMENT.sub("", guide)):
        title = _plain(_NUMBERING.sub("", heading["title"])).strip()
        if title:
            found.setdefault(heading["name"], title[:1].upper() + title[1:])
    return found


@cache
def lever_titles(path: Path = LEVERS_GUIDE) -> dict[str, str]:
    """Each lever's plain name as the lever guide at ``path`` titles it (empty if the guide
    cannot be read), so a report can name levers as a reader knows them."""
    try:
        return parse_titles(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return {}


def first_sentence(text: str) -> str:
    """The first sentence of a paragraph (up to its first full stop followed by a space)."""
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    return match.group(1) if match else text
