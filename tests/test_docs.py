"""README.md and docs/ stand alone: they point only inside the repository."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
# [text](target) links, and any word that names a markdown file.
LINK = re.compile(r"\]\(([^)\s]+)\)")
MARKDOWN_FILE = re.compile(r"[\w./-]*\w\.md\b")
EXTERNAL = re.compile(r"^(https?:|mailto:|#)")


def resolves_inside(doc: Path, target: str) -> bool:
    """Return whether `target`, as written in `doc`, names a file or folder
    of the repository (relative to the doc or to the repository's root)."""
    path = target.split("#", 1)[0]
    for base in (doc.parent, ROOT):
        candidate = (base / path).resolve()
        if candidate.is_relative_to(ROOT) and candidate.exists():
            return True
    return False


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_doc_points_only_inside_the_repository(doc):
    text = doc.read_text()
    assert "../shared" not in text
    assert "/work/" not in text

    links = [t for t in LINK.findall(text) if not EXTERNAL.match(t)]
    named = [
        word
        for line in text.splitlines()
        for word in MARKDOWN_FILE.findall(line)
        if "://" not in line  # part of a URL, e.g. a GitHub link
    ]
    outside = [t for t in links + named if not resolves_inside(doc, t)]
    assert outside == [], f"{doc.name} points outside the repository: {outside}"


def test_the_check_sees_a_link_out_of_the_repository():
    """The check above is not vacuous: a parent path or a missing file fails."""
    doc = ROOT / "docs" / "architecture.md"
    assert resolves_inside(doc, "realtime.md")
    assert resolves_inside(doc, "docs/realtime.md")
    assert not resolves_inside(doc, "../shared/DESIGN.md")
    assert not resolves_inside(doc, "STACK.md")
    assert not resolves_inside(doc, "../../" + ROOT.parent.name)
