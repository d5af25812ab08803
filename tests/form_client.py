"""A test client that sends forms as a browser does."""

from urllib.parse import urlencode

from django.core.files.base import File
from django.test import Client

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


class FormClient(Client):
    """Posts a dict of fields URL-encoded, as a browser sends a form without files.

    Django's test client sends multipart by default, which the public pages refuse
    (modsite.middleware.PublicBodyLimitMiddleware); a dict holding a file is still sent
    as multipart, as a browser would for the admin's photo upload.
    """

    def post(self, path, data=None, content_type=None, **extra):
        if content_type is None and isinstance(data, dict) and not _has_file(data):
            data, content_type = urlencode(data, doseq=True), FORM_CONTENT_TYPE
        if content_type is None:
            return super().post(path, data, **extra)
        return super().post(path, data, content_type=content_type, **extra)


def _has_file(data):
    values = [v for value in data.values() for v in (value if isinstance(value, list) else [value])]
    return any(isinstance(v, File) or hasattr(v, "read") for v in values)
