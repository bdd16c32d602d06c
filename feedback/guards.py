"""What keeps robots and floods out of the feedback forms, without a third-party CAPTCHA.

- A honeypot field, hidden from people and from assistive technology: a form that fills it
  is answered as if accepted and stored nowhere.
- A signed timestamp: a form posted less than FEEDBACK_MIN_SECONDS after it was drawn, or more
  than FEEDBACK_MAX_AGE after, is refused (the visitor's text is kept and shown again). The
  Yes/No stamp is signed for its page, so it says which page drew it; since it sits on pages
  the page cache serves to everyone, it dates the page's rendering, not one visitor's visit,
  and the rate limit is what stops a robot that reuses it.
- A rate limit per address, counted in the database (`SubmissionCount`), so it holds across
  every worker and host with or without Redis.
- Same-origin posts only: the page-feedback buttons sit on cached public pages, which cannot
  carry a per-visitor CSRF token, so that one view checks the browser's `Sec-Fetch-Site`,
  `Origin` or `Referer` instead (the token-free defence of OWASP's CSRF cheat sheet, and of
  Go's `http.CrossOriginProtection`). Every other form uses Django's CSRF token.

Each check costs no query except the rate limit's one upsert, and the cheap checks come first.
"""

import datetime
import hashlib
import hmac
import ipaddress
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.utils import timezone

from .models import SubmissionCount

#: The honeypot's field name: one a form-filling robot is glad to fill in.
HONEYPOT_FIELD = "website"
TIMESTAMP_FIELD = "issued"
_SALT = "feedback.form-issued"


class Refused(Exception):
    """A submission the guards turn away; `reason` is one of the keys below."""

    TOO_FAST = "too_fast"
    EXPIRED = "expired"
    TAMPERED = "tampered"
    RATE_LIMITED = "rate_limited"

    def __init__(self, reason: str, retry_after: int = 0):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def issue_timestamp(form_name: str) -> str:
    """A signed value recording when (and for which form) a form was drawn."""
    return signing.Signer(salt=_SALT).sign(f"{form_name}:{int(time.time() * 1000)}")


def check_timestamp(form_name: str, value: str | None) -> None:
    """Refuse a form posted too soon after it was drawn, too late, or with a forged stamp."""
    try:
        name, issued = signing.Signer(salt=_SALT).unsign(value or "").rsplit(":", 1)
        age = time.time() - int(issued) / 1000
    except (signing.BadSignature, ValueError) as exc:
        raise Refused(Refused.TAMPERED) from exc
    if name != form_name:
        raise Refused(Refused.TAMPERED)
    if age < settings.FEEDBACK_MIN_SECONDS:
        raise Refused(Refused.TOO_FAST)
    if age > settings.FEEDBACK_MAX_AGE.total_seconds():
        raise Refused(Refused.EXPIRED)


def honeypot_filled(data) -> bool:
    return bool(data.get(HONEYPOT_FIELD, "").strip())


def client_address(request) -> str:
    """The visitor's address: the peer's, or the one our own proxy saw (DJANGO_BEHIND_PROXY),
    that is the last entry of X-Forwarded-For. IPv6 addresses count per /64 network, the
    block one household or phone is usually given."""
    address = request.META.get("REMOTE_ADDR", "")
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded.strip():
            address = forwarded.split(",")[-1].strip()
    if address.count(":") == 1:  # "1.2.3.4:5678": an IPv4 address with its port
        address = address.split(":")[0]
    try:
        parsed = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return address[:64]
    if parsed.version == 6 and parsed.ipv4_mapped:  # ::ffff:1.2.3.4 on a dual-stack socket
        parsed = parsed.ipv4_mapped
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _address_key(scope: str, address: str) -> str:
    """A keyed hash: the counters never hold an address itself."""
    secret = settings.SECRET_KEY.encode()
    return hmac.new(secret, f"{scope}|{address}".encode(), hashlib.sha256).hexdigest()


def check_rate(request, scope: str) -> None:
    """Count this post against the address's limit for `scope`; refuse it past the limit."""
    limit, period = settings.FEEDBACK_RATE_LIMITS[scope]
    seconds = int(period.total_seconds())
    now = timezone.now()
    start = int(now.timestamp()) // seconds * seconds
    period_start = datetime.datetime.fromtimestamp(start, tz=datetime.UTC)
    count = SubmissionCount.add_one(_address_key(scope, client_address(request)), period_start)
    if count > limit:
        raise Refused(Refused.RATE_LIMITED, retry_after=start + seconds - int(now.timestamp()))


def same_origin(request) -> bool:
    """Whether a POST comes from one of this site's own pages.

    Browsers say so in `Sec-Fetch-Site` (all current ones) or `Origin`; an older browser
    without either sends `Referer` for same-origin posts under our Referrer-Policy. A post
    with none of the three is refused.
    """
    fetch_site = request.META.get("HTTP_SEC_FETCH_SITE")
    if fetch_site:
        return fetch_site == "same-origin"
    origin = request.META.get("HTTP_ORIGIN") or request.META.get("HTTP_REFERER")
    if not origin or origin == "null":
        return False
    parts = urlsplit(origin)
    allowed = {f"{request.scheme}://{request.get_host()}", *settings.CSRF_TRUSTED_ORIGINS}
    return f"{parts.scheme}://{parts.netloc}" in allowed
