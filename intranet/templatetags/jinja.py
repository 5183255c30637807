from typing import Any

from django import template
from django.template import engines
from django.template.backends.utils import csrf_input
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def jinja(context: template.Context, name: str, **values: Any) -> SafeString:
    """`{% jinja "feeds/cards.html" posts=posts %}`: draw a Jinja2 partial
    (intranet/jinja.py) with this page's variables and `values`."""
    page: dict[str, Any] = context.flatten()  # type: ignore[assignment]
    request = context.get("request")
    if request is not None:
        # Once: the backend's own csrf_input is lazy, and masks a new token
        # at every form (a feed page has a hundred and fifty).
        page["csrf_input"] = csrf_input(request)
    html = engines["jinja2"].get_template(name).render({**page, **values})
    return mark_safe(html)  # noqa: S308 - autoescaped by Jinja2
