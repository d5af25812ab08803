"""A tiny SMTP server on the loopback that keeps every message it receives, so load and
fault runs can count deliveries (each staff notification must arrive exactly once).

It speaks just enough SMTP for Django's SMTP backend (EHLO/HELO, MAIL, RCPT, DATA, RSET,
NOOP, QUIT); no TLS, no authentication.
"""

import email
import socketserver
import threading
import time
from email.policy import default as default_policy


class _Handler(socketserver.StreamRequestHandler):
    timeout = 30

    def reply(self, line):
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self):
        self.reply("220 sink ESMTP")
        while line := self.rfile.readline():
            verb = line.decode("ascii", "replace").strip().split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.reply("250-sink")
                self.reply("250 8BITMIME")
            elif verb == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                self.server.sink.receive(self.read_data())
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            elif verb in {"HELO", "MAIL", "RCPT", "RSET", "NOOP"}:
                self.reply("250 ok")
            else:
                self.reply("502 not implemented")

    def read_data(self):
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        return b"".join(lines)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # A sender killed mid-message (a fault test) is expected; nothing to print.
        pass


class SmtpSink:
    """`with SmtpSink() as sink:` listens on 127.0.0.1:sink.port; sink.messages holds
    every message received (email.message.EmailMessage). `delay` slows each delivery,
    so overlapping senders really overlap."""

    def __init__(self, delay=0.0):
        self.delay = delay
        self.messages = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.sink = self
        self.port = self._server.server_address[1]

    def receive(self, raw):
        if self.delay:
            time.sleep(self.delay)
        message = email.message_from_bytes(raw, policy=default_policy)
        with self._lock:
            self.messages.append(message)

    def subjects(self):
        with self._lock:
            return [str(message["Subject"]) for message in self.messages]

    def __enter__(self):
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
