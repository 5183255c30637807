"""The Content-Security-Policy header: django-csp, plus the socket's origin.

The policy itself is CONTENT_SECURITY_POLICY in settings. CSP Level 3 lets
'self' match ws: and wss: on the page's own host and port, but older
browsers do not, so connect-src names the socket's origin explicitly.
"""

from csp.middleware import CSPMiddleware, PolicyParts
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.http.response import HttpResponseBase


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(
        self,
        request: HttpRequest,
        response: HttpResponseBase,
        report_only: bool = False,
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        try:
            host = request.get_host()
        except DisallowedHost:
            # The 400 answer for a foreign Host header: no socket to name.
            return parts
        socket = f"{'wss' if request.is_secure() else 'ws'}://{host}"
        # A view's own csp_update() comes first; the socket is added to it.
        update = dict(parts.update or {})
        connect = update.get("connect-src") or []
        update["connect-src"] = [*connect, socket]
        parts.update = update
        return parts
