"""A file built once and kept in the shared cache (the sitemaps, the public slot feed),
answered with an ETag and Last-Modified, and 304 to a client that has it already."""

import hashlib
import time

from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date


def to_keep(body, content_type, **extra):
    """The file as plain values (what the cache keeps): its bytes, their type, a digest
    for the ETag and when it was built; `extra` for what a caller adds to the answer."""
    return {
        "body": body,
        "content_type": content_type,
        "etag": f'"{hashlib.sha256(body).hexdigest()[:32]}"',
        "built": int(time.time()),
        **extra,
    }


def answer(request, kept):
    """The kept file, or 304 and no body when the client's copy is this one."""
    etag, built = kept["etag"], kept["built"]
    response = get_conditional_response(request, etag=etag, last_modified=built)
    if response is None:
        response = HttpResponse(kept["body"], content_type=kept["content_type"])
    response.headers["ETag"] = etag
    response.headers["Last-Modified"] = http_date(built)
    return response
