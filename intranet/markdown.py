"""User text to safe HTML: markdown-it, then nh3 with one allow-list.

User HTML exists only as this module's output. The `js-default` preset
turns raw HTML off, and nh3 (Ammonia) strips anything the allow-list does
not name, so a mistake in one layer is caught by the other.
"""

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.tasklists import tasklists_plugin

_md = (
    MarkdownIt("js-default", {"linkify": True, "breaks": True, "typographer": False})
    .enable(["linkify", "strikethrough", "table"])
    .use(tasklists_plugin)
)

ALLOWED_TAGS = {
    "a",
    "p",
    "br",
    "strong",
    "em",
    "s",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "input",
    "span",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
    "input": {"type", "checked", "disabled"},
}
# Classes are allowed per tag here, never through ALLOWED_ATTRIBUTES.
ALLOWED_CLASSES = {
    "li": {"task-list-item"},
    "ul": {"contains-task-list"},
    "span": {"mention"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitize(html: str) -> str:
    """Return `html` reduced to the allow-list."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        filter_style_properties={"text-align"},
        set_tag_attribute_values={"input": {"disabled": ""}},
        link_rel="noopener noreferrer nofollow",
    )


def render_markdown(text: str) -> str:
    """Render user markdown to sanitised HTML."""
    return sanitize(_md.render(text)).strip()
