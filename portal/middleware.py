"""Response headers Django's own middleware does not set."""

from django.conf import settings


def _policy(directives: dict[str, list[str]]) -> str:
    return "; ".join(f"{name} {' '.join(values)}".strip() for name, values in directives.items())


class ContentSecurityPolicyMiddleware:
    """Adds settings.CONTENT_SECURITY_POLICY (no 'unsafe-inline', no 'unsafe-eval': every page,
    public and admin, loads its scripts and styles from files on this host) and
    settings.PERMISSIONS_POLICY to every response that does not set its own."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = _policy(settings.CONTENT_SECURITY_POLICY)
        self.permissions = settings.PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Permissions-Policy", self.permissions)
        return response


class PublicPageCacheMiddleware:
    """Whole answers of public pages, cached under the data version (cooperation/caching.py).

    A cached answer is served only for the same scheme, host, path, query string and language,
    and only while the data version is the one it was made under: any write to a cooperation
    table raises the version, so the next request of every worker, on every host, computes
    the page afresh. Nothing is cached for a visitor with a session (staff signed in), for
    the admin, or for an answer that is not a plain 200 (redirects, errors, streamed
    downloads, answers that set a cookie or forbid caching).
    """

    SKIPPED_PREFIXES = ("/admin/", "/i18n/", "/static/", "/healthz")
    CACHED_TYPES = (
        "text/html",
        "application/json",
        "application/atom+xml",
        "application/xml",
        "application/vnd.oai.openapi+json",
        "text/plain",
        "text/csv",
    )
    MAX_SIZE = 2 * 2**20

    def __init__(self, get_response):
        from django.core.exceptions import MiddlewareNotUsed

        if not settings.PAGE_CACHE:
            raise MiddlewareNotUsed("DJANGO_PAGE_CACHE is off")
        self.get_response = get_response

    def __call__(self, request):
        if not self._cacheable_request(request):
            return self.get_response(request)
        from django.core.cache import caches
        from django.http import HttpResponse
        from django.utils import translation

        from cooperation.caching import cache_key, data_version

        cache = caches["pages"]
        address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        key = cache_key("page", data_version(), translation.get_language(), address)
        stored = cache.get(key)
        if stored is not None:
            status, headers, content = stored
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response.headers[name] = value
            return response
        response = self.get_response(request)
        if self._cacheable_response(response):
            cache.set(
                key, (response.status_code, list(response.headers.items()), response.content)
            )
        return response

    def _cacheable_request(self, request) -> bool:
        return (
            request.method in ("GET", "HEAD")
            and not request.path.startswith(self.SKIPPED_PREFIXES)
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "HTTP_AUTHORIZATION" not in request.META
        )

    def _cacheable_response(self, response) -> bool:
        content_type = response.get("Content-Type", "").split(";")[0].strip()
        cache_control = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and content_type in self.CACHED_TYPES
            and not any(word in cache_control for word in ("private", "no-cache", "no-store"))
            and len(response.content) <= self.MAX_SIZE
        )
