"""User text to safe HTML: markdown-it, then nh3 with one allow-list.

User HTML exists only as this module's output. The `js-default` preset
turns raw HTML off, and nh3 (Ammonia) strips anything the allow-list does
not name, so a mistake in one layer is caught by the other.
"""

import re
import secrets
from collections.abc import Mapping

import nh3
from django.utils.html import format_html
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


MENTION = re.compile(r"@\*\*([^*\n]{1,100})\*\*")


def mentioned_names(text: str) -> set[str]:
    """Return the lower-cased names written as @**Name** in `text`."""
    return {name.strip().lower() for name in MENTION.findall(text)}


def render_markdown(text: str, *, people: Mapping[str, tuple[int, str]] = {}) -> str:
    """Render user markdown to sanitised HTML.

    `people` maps lower-cased names to (user id, display name): each
    @**Name** among them becomes a mention chip; others stay plain text.
    """
    tokens: dict[str, str] = {}

    def swap(match: re.Match[str]) -> str:
        found = people.get(match.group(1).strip().lower())
        if found is None:
            return match.group(0)
        # An alphanumeric stand-in passes markdown and the sanitiser as is;
        # the chip is put back afterwards, built here, escaped.
        token = f"canteenmention{secrets.token_hex(8)}"
        user_id, name = found
        tokens[token] = format_html(
            '<span class="mention" data-user="{}">@{}</span>', user_id, name
        )
        return token

    html = sanitize(_md.render(MENTION.sub(swap, text))).strip()
    for token, chip in tokens.items():
        html = html.replace(token, chip)
    return html
