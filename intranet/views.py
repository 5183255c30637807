from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from intranet.health import check_all


@require_GET
@never_cache
@login_not_required
async def healthz(request):
    """Answer 200 when the database and channel layer work, else 503, always
    within the probe's deadline (intranet.health)."""
    checks = await check_all()
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
