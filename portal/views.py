"""Views of the site itself (not of its records)."""

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger("portal.health")


@never_cache
@require_safe
def healthz(request):
    """For load balancers and monitoring: 200 when the database answers, else 503.

    The cache is reported ("ok", "local" for per-process memory, or "degraded" when Redis does
    not answer) but never fails the check: without it, pages are built from the database."""
    from portal.cache import status

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure to reach the database means "not healthy"
        logger.exception("Health check: the database did not answer")
        return JsonResponse({"status": "unavailable", "database": "unavailable"}, status=503)
    caches = set(status().values())
    cache = "degraded" if "degraded" in caches else "ok" if "ok" in caches else "local"
    return JsonResponse({"status": "ok", "database": "ok", "cache": cache})


def sign_in_locked(request, credentials, *args, **kwargs):
    """django-axes lockout page (AXES_LOCKOUT_CALLABLE): in the user's language, with the
    cool-off in minutes, status 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}
    return render(request, "admin/locked_out.html", context, status=429)


def page_not_found(request, exception):
    """404: under /api/ a JSON body, like every other API answer; elsewhere the site's page."""
    if request.path.startswith("/api/"):
        from django.utils.translation import gettext as _

        return JsonResponse({"detail": _("There is nothing at this address.")}, status=404)
    # The language toggle of this page leads to the other language's home (a missing page is
    # missing in both languages).
    return render(request, "404.html", {"page_not_found": True}, status=404)


#: How long a visitor or a crawler is asked to wait when the database does not answer.
RETRY_AFTER_SECONDS = 30


def _database_unavailable() -> bool:
    """Whether the error being handled is the database's: unreachable, restarting, or a
    statement cut off by the statement timeout."""
    import sys

    from django.db import DatabaseError, InterfaceError, OperationalError

    error = sys.exc_info()[1]
    return isinstance(error, OperationalError | InterfaceError) or (
        isinstance(error, DatabaseError) and "statement timeout" in str(error)
    )


def server_error(request):
    """500, or 503 when the database does not answer (in the visitor's language, with
    Retry-After, never a traceback). Under /api/ a JSON body; elsewhere the site's page."""
    from django.template import loader
    from django.utils.translation import gettext as _

    unavailable = _database_unavailable()
    status = 503 if unavailable else 500
    if request.path.startswith("/api/"):
        detail = _("The service is temporarily unavailable.") if unavailable else "Server error."
        response = JsonResponse({"detail": detail}, status=status)
    else:
        template = loader.get_template("503.html" if unavailable else "500.html")
        response = HttpResponse(template.render(request=None), status=status)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
