"""An e-mail backend for tests that behaves like an unreachable mail server."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class DownEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPConnectError(421, "mail.example.com is not answering")


class TimeoutRecordingBackend(BaseEmailBackend):
    """Delivers nothing; remembers the timeout each connection was opened with."""

    timeouts = []

    def __init__(self, timeout=None, **kwargs):
        super().__init__(**kwargs)
        self.timeouts.append(timeout)

    def send_messages(self, email_messages):
        return len(email_messages)
