"""Markdown rendering: mention chips come from the parser, then one sanitiser.

The issue these guard: chips used to be spliced in after nh3, so a mention
in a link's destination broke out of the href, and chips showed inside
code.
"""

import nh3
import pytest

from intranet import markdown
from intranet.markdown import render, render_markdown, sanitize

PEOPLE = {
    "fernando miranda": (7, "Fernando Miranda"),
    "fernando": (8, "Fernando"),
}
CHIP = '<span class="mention" data-user="7">@Fernando Miranda</span>'


def test_a_known_name_becomes_a_chip_and_is_reported():
    html, mentioned = render("hi @**fernando miranda**!", people=PEOPLE)
    assert html == f"<p>hi {CHIP}!</p>"
    assert mentioned == {7}


def test_an_unknown_name_stays_markdown():
    html, mentioned = render("hi @**Nobody Here**", people=PEOPLE)
    assert html == "<p>hi @<strong>Nobody Here</strong></p>"
    assert mentioned == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The probe's case: a name with a space is not a link destination.
        (
            "[click](@**Fernando Miranda**)",
            f"<p>[click]({CHIP})</p>",
        ),
        # One word is: the href keeps the text, and the link keeps its rel.
        (
            "[click](@**Fernando**)",
            '<p><a href="@**Fernando**" rel="noopener noreferrer nofollow">'
            "click</a></p>",
        ),
        (
            "[click](<@**Fernando Miranda**>)",
            '<p><a href="@**Fernando%20Miranda**" '
            'rel="noopener noreferrer nofollow">click</a></p>',
        ),
        (
            "[x][ref]\n\n[ref]: @**Fernando**",
            '<p><a href="@**Fernando**" rel="noopener noreferrer nofollow">x</a></p>',
        ),
        (
            "[see @**Fernando Miranda**](https://example.com/)",
            '<p><a href="https://example.com/" rel="noopener noreferrer nofollow">'
            "see @<strong>Fernando Miranda</strong></a></p>",
        ),
        (
            "<https://example.com/@**Fernando**>",
            '<p><a href="https://example.com/@**Fernando**" '
            'rel="noopener noreferrer nofollow">'
            "https://example.com/@**Fernando**</a></p>",
        ),
    ],
    ids=["href-spaced", "href", "href-angle", "reference", "link-text", "autolink"],
)
def test_no_chip_inside_a_link(text, expected):
    html, mentioned = render(text, people=PEOPLE)
    assert html == expected
    assert "<a" not in html or "mention" not in html
    if "<a" in html:
        assert mentioned == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("`@**Fernando Miranda**`", "<p><code>@**Fernando Miranda**</code></p>"),
        (
            "```\n@**Fernando Miranda**\n```",
            "<pre><code>@**Fernando Miranda**\n</code></pre>",
        ),
        (
            "    @**Fernando Miranda**",
            "<pre><code>@**Fernando Miranda**\n</code></pre>",
        ),
    ],
    ids=["inline-code", "fenced-block", "indented-block"],
)
def test_no_chip_inside_code(text, expected):
    assert render(text, people=PEOPLE) == (expected, set())


def test_a_chip_and_code_in_one_message():
    html, mentioned = render(
        "@**Fernando Miranda** see `@**Fernando**` and [it](https://example.com/)",
        people=PEOPLE,
    )
    assert html == (
        f"<p>{CHIP} see <code>@**Fernando**</code> and "
        '<a href="https://example.com/" rel="noopener noreferrer nofollow">it</a></p>'
    )
    assert mentioned == {7}


def test_a_chip_shown_nowhere_is_no_mention():
    # An image's alt text is plain text, and images are not allowed.
    assert render("![@**Fernando**](https://example.com/a.png)", people=PEOPLE) == (
        "<p></p>",
        set(),
    )


@pytest.mark.parametrize(
    "name",
    [
        '<img src=x onerror="alert(1)">',
        '"><script>alert(1)</script>',
        "</span><a href='javascript:alert(1)'>x</a>",
        "[x](javascript:alert(1)) `code` _em_",
        "&amp; &lt;",
    ],
)
def test_a_hostile_display_name_is_text_in_its_chip(name):
    html, mentioned = render("hi @**Someone**", people={"someone": (9, name)})
    assert mentioned == {9}
    # Quotes need no escaping in text, and the sanitiser writes them plain.
    escaped = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert html == f'<p>hi <span class="mention" data-user="9">@{escaped}</span></p>'


def test_the_whole_output_is_sanitised_once(monkeypatch):
    calls = []
    clean = nh3.clean

    def counting_clean(html, **kwargs):
        calls.append(html)
        return clean(html, **kwargs)

    monkeypatch.setattr(nh3, "clean", counting_clean)
    html, _ = render("@**Fernando** and `code` and **bold**", people=PEOPLE)
    # One pass over everything, the chip included, and nothing added after.
    (seen,) = calls
    assert '<span class="mention" data-user="8">@Fernando</span>' in seen
    assert html == clean(seen, **_sanitizer_options()).strip()
    # And what it lets through is stable: sanitising again changes nothing.
    monkeypatch.setattr(nh3, "clean", clean)
    assert sanitize(html) == html


def _sanitizer_options():
    return {
        "tags": markdown.ALLOWED_TAGS,
        "attributes": markdown.ALLOWED_ATTRIBUTES,
        "allowed_classes": markdown.ALLOWED_CLASSES,
        "url_schemes": markdown.URL_SCHEMES,
        "set_tag_attribute_values": {"input": {"disabled": ""}},
        "link_rel": "noopener noreferrer nofollow",
    }


def test_the_allow_list_names_the_chip_and_nothing_more():
    assert (
        sanitize(
            '<span class="mention evil" data-user="1" data-x="2" style="color:red">'
            "x</span>"
        )
        == '<span class="mention" data-user="1">x</span>'
    )
    # Only the parser makes chips: a person's own HTML is text.
    assert render_markdown('<span class="mention" data-user="1">x</span>') == (
        '<p>&lt;span class="mention" data-user="1"&gt;x&lt;/span&gt;</p>'
    )


def test_table_alignment_is_a_class_not_an_inline_style():
    # The Content-Security-Policy allows no style attribute.
    html = render_markdown("| a | b | c |\n|:-|:-:|-:|\n| 1 | 2 | 3 |")
    assert "style" not in html
    assert '<th class="align-left">a</th>' in html
    assert '<td class="align-center">2</td>' in html
    assert '<td class="align-right">3</td>' in html
