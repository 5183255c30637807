"""The production static files storage: whitenoise's hashed, compressed
files, with the ES modules' imports pointing at hashed files too."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class ManifestModulesStorage(CompressedManifestStaticFilesStorage):
    """Rewrite every relative `import … from "./x.js";` (and `export …
    from`, `import "./x.js";`, a literal `import("./x.js")`) to the hashed
    name, so a page's modules are one version: otherwise a template names a
    hashed, cached-forever entry file that fetches its modules by their
    plain names, and after a deploy a browser can pair a new entry with old
    cached modules. A module's hash covers its imports' hashes, so a change
    anywhere renames every module that leads to it.

    Django matches imports with regular expressions: each must end with a
    semicolon and start with "./", "../" or "/" (tests/intranet/
    test_staticfiles.py fails on any it leaves plain). Modules may not
    import each other in a cycle: their names could never settle, and
    collectstatic fails with "Max post-process passes exceeded".
    """

    support_js_module_import_aggregation = True
    # A pass renames the modules whose imports were renamed in the one
    # before; the longest import chain (7 modules in 2026) needs at most a
    # pass per module, and a settled pass ends the loop early.
    max_post_process_passes = 20
