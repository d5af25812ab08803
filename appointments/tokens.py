"""The manage link's token: derived from the booking form's submission key with the
site's secret, so the same form sent twice leads to the same link, and the e-mails can
carry the link without storing it; only its hash is stored."""

import base64
import hashlib
import hmac

from django.conf import settings


def manage_token(submission_key):
    digest = hmac.new(
        settings.SECRET_KEY.encode(),
        f"appointments.manage:{submission_key}".encode(),
        hashlib.sha256,
    ).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")
