"""Response headers Django's own middleware does not set."""

from django.conf import settings
from django.middleware.gzip import GZipMiddleware as _GZipMiddleware


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


#: Paths no public answer lives under.
SKIPPED_PREFIXES = ("/admin/", "/i18n/", "/static/", "/healthz")
#: The types of answer that may be cached: pages, feeds, data and downloads.
CACHED_TYPES = (
    "text/html",
    "application/json",
    "application/atom+xml",
    "application/xml",
    "application/vnd.oai.openapi+json",
    "text/plain",
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
_UNSET = object()


def public_address(request) -> str | None:
    """The canonical address of this request's public answer, or None when the answer may not
    be shared: the one rule of what is public, for the page cache and for Cache-Control.

    Public: a GET or HEAD of a path that resolves to a page, with only the parameters that
    page reads (`cooperation.views.PAGE_PARAMETERS`), outside the admin, from a visitor who is
    not signed in (no session cookie naming a real session: an invented one does not count)
    and sends no credentials. The address has the query string in a canonical order (so that
    `?b=1&a=2` and `?a=2&b=1` are one entry, and `?x=<random>` is none).

    Worked out once per request (at most one query, and only for requests with a session
    cookie), then kept on the request."""
    found = getattr(request, "_public_address", _UNSET)
    if found is _UNSET:
        found = request._public_address = _public_address(request)
    return found


def _public_address(request) -> str | None:
    from urllib.parse import urlencode

    if (
        request.method not in ("GET", "HEAD")
        or request.path.startswith(SKIPPED_PREFIXES)
        or "HTTP_AUTHORIZATION" in request.META
    ):
        return None
    known = _known_parameters(request.path_info)
    if known is None or any(name not in known for name in request.GET):
        return None
    if signed_in(request):
        return None
    query = urlencode(sorted(request.GET.lists()), doseq=True)
    return f"{request.scheme}://{request.get_host()}{request.path}?{query}"


def _known_parameters(path: str):
    from django.urls import Resolver404, resolve

    from cooperation.views import PAGE_PARAMETERS

    try:
        match = resolve(path)
    except Resolver404:
        return None
    return PAGE_PARAMETERS.get(match.view_name, frozenset())


def signed_in(request) -> bool:
    """Whether the request carries the cookie of an existing session (one query, and only
    for requests with a session cookie)."""
    from importlib import import_module

    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not session_key:
        return False
    store = import_module(settings.SESSION_ENGINE).SessionStore
    return store().exists(session_key)


def public_response(response) -> bool:
    """Whether an answer to a public address is the same for everyone: a plain 200 of a page,
    feed, data or download type, setting no cookie (a CSRF cookie, a message, a session) and
    not marked private or uncacheable by its view."""
    content_type = response.get("Content-Type", "").split(";")[0].strip()
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.cookies
        and content_type in CACHED_TYPES
        and not any(word in cache_control for word in ("private", "no-cache", "no-store"))
    )


class CacheControlMiddleware:
    """Cache-Control for browsers and shared caches (nginx, a CDN; deploy/nginx.conf).

    A public answer (`public_address()` and `public_response()`, the page cache's own rule) is
    `public, max-age=PUBLIC_MAX_AGE, stale-while-revalidate=PUBLIC_STALE`, with `Vary: Cookie`
    (a signed-in curator must not be served the copy a cache kept for visitors; LocaleMiddleware
    adds `Accept-Language` where the language is negotiated, GZipMiddleware `Accept-Encoding`).
    Everything else (signed-in staff, errors, redirects, unknown parameters, answers that set
    a cookie) is `private, no-cache`: a browser may keep it but asks again (with its ETag)
    before each use, and no shared cache keeps it. An answer whose view chose its own
    Cache-Control (the admin's and the forms' `never_cache`, a 503's `no-store`) keeps it.

    A shared cache may serve a page up to PUBLIC_MAX_AGE seconds (then PUBLIC_STALE more while
    it fetches the new one) after the data changed, unlike the page cache, which follows the
    data version at once: that delay is the price of the edge. Independent of the page cache
    (DJANGO_PAGE_CACHE), which only decides whether this process keeps answers itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.max_age = settings.PUBLIC_MAX_AGE
        self.stale = settings.PUBLIC_STALE

    def __call__(self, request):
        from django.utils.cache import patch_cache_control, patch_vary_headers

        response = self.get_response(request)
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            patch_vary_headers(response, ("Cookie",))
        if response.has_header("Cache-Control"):
            return response
        if self.max_age and public_address(request) is not None and public_response(response):
            patch_cache_control(
                response, public=True, max_age=self.max_age, stale_while_revalidate=self.stale
            )
            patch_vary_headers(response, ("Cookie",))
        else:
            patch_cache_control(response, private=True, no_cache=True)
        return response


class PublicPageCacheMiddleware:
    """Whole answers of public pages, cached under the data version (cooperation/caching.py).

    A cached answer is served only for the same scheme, host, path, query string and language,
    and only while the data version is the one it was made under: any write to a cooperation
    table changes the version, so the next request of every worker, on every host, computes
    the page afresh.

    Only public answers are cached (`public_address()`, `public_response()`: addresses the
    site knows, with the parameters their page reads; no signed-in visitor, no admin; plain
    200s that set no cookie and do not forbid caching), and of those only the ones held whole
    in memory and under MAX_SIZE (not streamed downloads).
    """

    MAX_SIZE = 2 * 2**20

    def __init__(self, get_response):
        from django.core.exceptions import MiddlewareNotUsed

        if not settings.PAGE_CACHE:
            raise MiddlewareNotUsed("DJANGO_PAGE_CACHE is off")
        self.get_response = get_response

    def __call__(self, request):
        address = public_address(request)
        if address is None:
            return self.get_response(request)
        from django.core.cache import caches
        from django.http import HttpResponse
        from django.utils import translation

        from cooperation.caching import cache_key, data_version

        cache = caches["pages"]
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

    def _cacheable_response(self, response) -> bool:
        return (
            public_response(response)
            and not response.streaming
            and len(response.content) <= self.MAX_SIZE
        )


class GZipMiddleware(_GZipMiddleware):
    """Django's GZipMiddleware, except for answers that carry a CSRF token.

    BREACH: an attacker who can make a victim's browser load a compressed page, and who can
    put text of their own in that page (a form shown again with what was posted), learns a
    secret on the page from the sizes of the answers, one character at a time. The only
    secret our pages hold is the CSRF token, and only the visitors' forms (feedback/) and the
    admin carry one; every answer that used a token also sets the CSRF cookie, so that is how
    they are recognized. Django masks the token anew on every answer and pads compressed
    answers with random bytes, which makes the attack slow; not compressing them closes it.
    The public pages carry no token (the Yes/No buttons are checked by origin instead), so
    they are compressed, and so are the downloads and the API.
    """

    def process_response(self, request, response):
        if settings.CSRF_COOKIE_NAME in response.cookies:
            return response
        return super().process_response(request, response)


class PublicRequestSizeMiddleware:
    """Public forms take small bodies: anything posted outside the back office larger than
    PUBLIC_MAX_REQUEST_BYTES is refused before it is read, with the visitor's 400 page. The
    back office may take up to DATA_UPLOAD_MAX_MEMORY_SIZE, so a curator's huge paste reaches
    the form, which says what is wrong and keeps the text."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.core.exceptions import RequestDataTooBig

        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.PUBLIC_MAX_REQUEST_BYTES and not request.path.startswith("/admin/"):
            raise RequestDataTooBig("Request body exceeded PUBLIC_MAX_REQUEST_BYTES.")
        return self.get_response(request)
