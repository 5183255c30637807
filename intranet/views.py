from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from intranet.health import check_channel_layer, check_database


@require_GET
@never_cache
@login_not_required
def healthz(request):
    """Answer 200 when the database and channel layer work, else 503."""
    checks = {"database": check_database(), "channel_layer": check_channel_layer()}
    failing = [name for name, problem in checks.items() if problem]
    body: dict[str, object] = {
        "status": "ok" if not failing else "fail",
        "checks": {
            name: {"status": "fail", "error": problem} if problem else {"status": "ok"}
            for name, problem in checks.items()
        },
    }
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=503 if failing else 200)
