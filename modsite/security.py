"""Small helpers for sign-in protection."""

from django.conf import settings


def client_ip(request):
    """The caller's address: REMOTE_ADDR, or the hop our own trusted proxies recorded in
    X-Forwarded-For (entries further left can be forged by the caller)."""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")
