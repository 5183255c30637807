"""The API reference at /api/v1/docs: django-ninja's bundled Redoc.

Redoc rather than ninja's default Swagger UI, whose page fails axe-core
(colour contrast, buttons nested in buttons, no `lang`). The page loads
only static files of this site, with no inline script, so it works offline
and under a `script-src 'self'` Content-Security-Policy.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.openapi.docs import Redoc


class APIReference(Redoc):
    template = "intranet/api_docs.html"
    default_settings = {
        # Colours with 4.5:1 contrast on their backgrounds (WCAG AA), where
        # Redoc's defaults fall short.
        "theme": {
            "colors": {
                "primary": {"main": "#1c5d99", "light": "#2a6db0"},
                "success": {"main": "#1b6e36"},
                "error": {"main": "#b3261e"},
                "warning": {"main": "#8a4b00"},
                "text": {"primary": "#1f2328", "secondary": "#4a4f55"},
                # Status tabs sit on the dark right-hand panel.
                "responses": {
                    "success": {"tabTextColor": "#7ee2a0"},
                    "error": {"tabTextColor": "#ff9b94"},
                    "redirect": {"tabTextColor": "#ffc46b"},
                    "info": {"tabTextColor": "#9fdcf5"},
                },
                "http": {
                    "get": "#1b6e36",
                    "post": "#1c5d99",
                    "put": "#6d3fa0",
                    "patch": "#8a4b00",
                    "delete": "#b3261e",
                },
            },
            "typography": {"code": {"color": "#b3261e"}},
        },
        # Search runs in a worker made from a blob: URL, which a strict
        # script-src refuses; the browser's own find works on the page.
        "disableSearch": True,
        "expandResponses": "200,201",
    }

    def render_page(
        self, request: HttpRequest, api: NinjaAPI, **kwargs: Any
    ) -> HttpResponse:
        context = {
            "api": api,
            "openapi_url": self.get_openapi_url(api, kwargs),
            "redoc_settings": self.settings,
        }
        return render(request, self.template, context)
