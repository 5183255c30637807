"""Production's collectstatic names every ES module by its hash, the ones a
module imports too (intranet.staticfiles), so a page never pairs a new entry
module with old cached ones."""

import json
import posixpath
import re

from tests.intranet.test_config import PRODUCTION, manage

# A module specifier in any form a browser accepts: `import … from`,
# `export … from`, a bare `import "…"` and a literal `import("…")`, with or
# without the semicolon Django's patterns need, over several lines too.
SPECIFIER = re.compile(r"""\b(?:from|import)\s*\(?\s*["'](?P<url>\.{0,2}/[^"']*)["']""")
HASHED = re.compile(r"\.[0-9a-f]{12}\.js$")
# import() of a URL computed at run time cannot be rewritten: each must take
# a hashed URL from a template.
COMPUTED_IMPORT = re.compile(r"""\bimport\s*\(\s*(?!["'])""")
COMPUTED_IMPORTS = {
    # The emoji picker: its URL is {% static %} in conversation.html.
    "frontend/js/chat/reactions.js": 1,
}

# Production's settings, collecting into a directory of the test's own.
# Django admin's and django-ninja's files hold no module imports and take a
# minute to compress, so they are left out.
COLLECT = """
from django.conf import settings
from django.core.management import call_command
settings.STATIC_ROOT = {root!r}
call_command(
    "collectstatic", interactive=False, verbosity=0,
    ignore_patterns=["admin", "ninja"],
)
"""


def plain_imports(stored: str, text: str, hashed: set[str]) -> list[str]:
    """Return the specifiers in `text`, the module stored as `stored`, that
    do not name a hashed file in `hashed`."""
    plain = []
    for url in SPECIFIER.findall(text):
        if url.startswith("/"):
            target = url.removeprefix("/static/")
        else:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(stored), url))
        if not HASHED.search(url) or target not in hashed:
            plain.append(url)
    return plain


def test_the_check_finds_imports_django_leaves_plain():
    hashed = {"js/a.0123456789ab.js"}
    text = (
        'import { a } from "./a.0123456789ab.js";\n'
        'import { b } from "./b.js"\n'  # no semicolon: Django skips it
        'import {\n  c,\n} from "../js/c.js";\n'
        "export { d } from './d.0123456789ab.js';\n"  # hashed, but missing
        'import "./e.js";\n'
        'const f = await import("./f.js");\n'
    )
    assert plain_imports("js/main.js", text, hashed) == [
        "./b.js",
        "../js/c.js",
        "./d.0123456789ab.js",
        "./e.js",
        "./f.js",
    ]


def test_collectstatic_names_every_imported_module_by_its_hash(tmp_path):
    result = manage("shell", "-c", COLLECT.format(root=str(tmp_path)), **PRODUCTION)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    hashed = set(manifest.values())
    plain, computed = {}, {}
    for name, stored in manifest.items():
        if not name.endswith(".js"):
            continue
        text = (tmp_path / stored).read_text()
        if found := plain_imports(stored, text, hashed):
            plain[name] = found
        if count := len(COMPUTED_IMPORT.findall(text)):
            computed[name] = count
    assert plain == {}
    assert computed == COMPUTED_IMPORTS
    # The rewrite ran: the vendored picker imports its database by hash.
    picker = manifest["frontend/vendor/emoji-picker-element-1.29.1/picker.js"]
    assert re.search(
        r'^import Database from "\./database\.[0-9a-f]{12}\.js";$',
        (tmp_path / picker).read_text(),
        re.MULTILINE,
    )
    # whitenoise still compresses the hashed copies.
    assert (tmp_path / f"{picker}.gz").exists()
