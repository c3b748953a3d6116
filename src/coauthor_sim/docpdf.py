"""The model's documents (the ODD, the TRACE document) printed to A4 PDF from their Markdown.

One command, from the repository's folder (the ``pdf`` extra: ``pip install -e ".[pdf]"``,
which brings the ``markdown`` library; printing uses the system's Chromium or Playwright's, as
``compare --pdf`` does, see ``analysis.pdf``)::

    python -m coauthor_sim.docpdf                       # docs/ODD.md, docs/TRACE.md -> docs/pdf/
    python -m coauthor_sim.docpdf docs/validation.md --out somewhere

Each Markdown file becomes an HTML page (tables, fenced code, heading anchors) with a print
style sheet, written to a temporary folder beside nothing the user sees, with links and
pictures resolved against the Markdown file's own folder; Chromium prints it. Only the PDFs are
written into ``--out``.
"""

from __future__ import annotations

import argparse
import html
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

DEFAULT_DOCUMENTS = ("docs/ODD.md", "docs/TRACE.md")
DEFAULT_OUT = "docs/pdf"
EXTENSIONS = ("tables", "fenced_code", "toc", "sane_lists", "attr_list")
STYLE = """
@page { size: A4; margin: 18mm 16mm 18mm 16mm; }
body { font-family: "DejaVu Serif", Georgia, serif; font-size: 10pt; line-height: 1.4;
       color: #111; }
h1 { font-size: 18pt; margin: 0 0 8pt; }
h2 { font-size: 14pt; margin-top: 18pt; break-after: avoid; border-bottom: 1px solid #999; }
h3 { font-size: 11.5pt; margin-top: 12pt; break-after: avoid; }
h4, h5 { font-size: 10.5pt; break-after: avoid; }
p, li { orphans: 3; widows: 3; }
code, pre { font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; }
pre { background: #f4f4f4; padding: 6pt; white-space: pre-wrap; break-inside: avoid; }
table { border-collapse: collapse; width: 100%; font-size: 8pt; margin: 6pt 0;
        table-layout: auto; }
th, td { border: 1px solid #bbb; padding: 2pt 4pt; vertical-align: top;
         overflow-wrap: break-word; hyphens: auto; }
th { background: #eee; }
tr { break-inside: avoid; }
img { max-width: 100%; }
a { color: #1b5e9a; text-decoration: none; }
"""


def markdown_html(source: Path) -> str:
    """The Markdown file ``source`` as a complete HTML page with the print style sheet; links
    and pictures resolve against the file's own folder."""
    try:
        import markdown
    except ImportError:
        raise ImportError(
            "printing the documents needs the markdown library: pip install -e '.[pdf]'"
        ) from None
    body = markdown.markdown(source.read_text(encoding="utf-8"), extensions=list(EXTENSIONS))
    base = source.resolve().parent.as_uri() + "/"
    title = html.escape(source.stem)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<base href="{base}"><title>{title}</title><style>{STYLE}</style></head>'
            f"<body>\n{body}\n</body></html>\n")  # fmt: skip


def build(documents: Sequence[str | Path], out: str | Path) -> list[Path]:
    """Print each Markdown document to ``out/<name>.pdf``; return the PDFs."""
    from .analysis.pdf import print_pdf

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="coauthor-docs-") as tmp:
        for document in map(Path, documents):
            page = Path(tmp) / f"{document.stem}.html"
            page.write_text(markdown_html(document), encoding="utf-8")
            written.append(print_pdf(page, out / f"{document.stem}.pdf"))
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m coauthor_sim.docpdf",
        description="Print the model's Markdown documents (default: the ODD and TRACE) to PDF.",
    )
    parser.add_argument("documents", nargs="*", default=list(DEFAULT_DOCUMENTS),
                        help="Markdown files (default: docs/ODD.md docs/TRACE.md)")  # fmt: skip
    parser.add_argument("--out", default=DEFAULT_OUT, help="folder for the PDFs (docs/pdf)")
    args = parser.parse_args(argv)
    missing = [d for d in args.documents if not Path(d).is_file()]
    if missing:
        print(f"docpdf: error: {missing[0]}: no such file (run from the repository's folder)",
              file=sys.stderr)  # fmt: skip
        return 2
    from .analysis.pdf import INSTALL_HINT, PdfError, available

    if not available():
        print(f"docpdf: error: {INSTALL_HINT}", file=sys.stderr)
        return 2
    try:
        written = build(args.documents, args.out)
    except (ImportError, PdfError) as err:
        print(f"docpdf: failed: {err}", file=sys.stderr)
        return 1
    print("wrote " + ", ".join(str(p) for p in written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
