"""User text to safe HTML: markdown-it, then nh3 with one allow-list.

User HTML exists only as this module's output. The `js-default` preset
turns raw HTML off, and nh3 (Ammonia) strips anything the allow-list does
not name, so a mistake in one layer is caught by the other. Everything,
@mention chips included, is made by markdown-it and then sanitised once:
nothing is spliced into the HTML afterwards.
"""

import re
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.tasklists import tasklists_plugin

MENTION = re.compile(r"@\*\*([^*\n]{1,100})\*\*")


def _mention(state: StateInline, silent: bool) -> bool:
    """Turn @**Name** of a known person into a `mention` token.

    Code spans and blocks never reach inline rules, and link text is
    skipped here: a chip is never inside a link or code.
    """
    if state.src[state.pos] != "@" or state.linkLevel > 0:
        return False
    match = MENTION.match(state.src, state.pos, state.posMax)
    if match is None:
        return False
    person = state.env.get("people", {}).get(match[1].strip().lower())
    if person is None:
        return False
    if not silent:
        token = state.push("mention", "span", 0)
        token.meta = {"user_id": person[0], "name": person[1]}
    state.pos = match.end()
    return True


def _render_mention(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    # Only chips that are shown count as mentions (an image's alt text,
    # for one, drops them).
    meta = tokens[idx].meta
    env.setdefault("mentioned", set()).add(meta["user_id"])
    return (
        f'<span class="mention" data-user="{int(meta["user_id"])}">'
        f"@{escapeHtml(meta['name'])}</span>"
    )


def _align_by_class(state: StateCore) -> None:
    """Say a table column's alignment with a class, not a style attribute.

    The Content-Security-Policy allows no inline style.
    """
    for token in state.tokens:
        style = token.attrs.pop("style", None) if token.attrs else None
        if isinstance(style, str) and style.startswith("text-align:"):
            token.attrSet("class", "align-" + style.removeprefix("text-align:"))


_md = (
    MarkdownIt("js-default", {"linkify": True, "breaks": True, "typographer": False})
    .enable(["linkify", "strikethrough", "table"])
    .use(tasklists_plugin)
)
_md.inline.ruler.before("emphasis", "mention", _mention)
_md.core.ruler.push("align_by_class", _align_by_class)
_md.add_render_rule("mention", _render_mention)

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
    "span": {"data-user"},
    "input": {"type", "checked", "disabled"},
}
# Classes are allowed per tag here, never through ALLOWED_ATTRIBUTES.
ALLOWED_CLASSES = {
    "li": {"task-list-item"},
    "ul": {"contains-task-list"},
    "span": {"mention"},
    "th": {"align-left", "align-center", "align-right"},
    "td": {"align-left", "align-center", "align-right"},
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
        set_tag_attribute_values={"input": {"disabled": ""}},
        link_rel="noopener noreferrer nofollow",
    )


def mentioned_names(text: str) -> set[str]:
    """Return the lower-cased names written as @**Name** in `text`.

    A superset of who is mentioned (some may be in code or links): the
    names to look up before rendering.
    """
    return {name.strip().lower() for name in MENTION.findall(text)}


class Rendered(NamedTuple):
    html: str
    # The user ids whose chips are in `html`.
    mentioned: frozenset[int]


def render(text: str, *, people: Mapping[str, tuple[int, str]] = {}) -> Rendered:
    """Render user markdown to sanitised HTML, with its mention chips.

    `people` maps lower-cased names to (user id, display name): each
    @**Name** among them, outside code and links, becomes a mention chip;
    others stay plain text.
    """
    env: dict[str, Any] = {"people": people}
    html = sanitize(_md.render(text, env)).strip()
    return Rendered(html, frozenset(env.get("mentioned", ())))


def render_markdown(text: str) -> str:
    """Render user markdown without mentions to sanitised HTML."""
    return render(text).html
