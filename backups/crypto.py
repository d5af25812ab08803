"""The backup key and the cipher: AES-256-GCM over fixed-size chunks (the STREAM pattern).

A file's own key is derived from BACKUP_KEY and a random salt (HKDF), so no nonce is ever
reused across files. Every chunk is authenticated together with the file's header (the
manifest included), its position and whether it is the last one: a changed byte anywhere,
chunks swapped, or a file cut short is found before anything is restored. A short key check
stored in the header tells "wrong key" apart from "damaged file".
"""

import base64
import binascii
import hashlib
import hmac
import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
SALT_BYTES = 16
CHUNK_BYTES = 1024 * 1024
TAG_BYTES = 16
LENGTH = struct.Struct(">I")


class BackupError(Exception):
    """A backup cannot be made, read or restored; the message says why, for an operator."""


def generate_key():
    """A new BACKUP_KEY: 32 random bytes, URL-safe base64 (44 characters)."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def parse_key(text):
    """The key's bytes. The value itself is never put into a message."""
    if not text:
        raise BackupError(
            "Set the BACKUP_KEY environment variable (make a key with "
            "`manage.py backup --generate-key` and keep a copy away from this machine)."
        )
    try:
        key = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        key = b""
    if len(key) != KEY_BYTES:
        raise BackupError(
            "BACKUP_KEY is not a key made by `manage.py backup --generate-key` "
            "(44 characters of URL-safe base64)."
        )
    return key


def _derive(key, salt, purpose):
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=purpose).derive(key)


class FileKey:
    """One file's cipher: its salt, its key check and the chunk sealing."""

    def __init__(self, key, salt=None):
        self.salt = salt if salt is not None else os.urandom(SALT_BYTES)
        self._aead = AESGCM(_derive(key, self.salt, b"modsite-backup v1 data"))
        self.check = _derive(key, self.salt, b"modsite-backup v1 key check")[:16].hex()

    def matches(self, check):
        return hmac.compare_digest(self.check, str(check))

    @staticmethod
    def _nonce(index, last):
        return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")

    def seal(self, index, chunk, last, header_digest):
        return self._aead.encrypt(self._nonce(index, last), chunk, header_digest)

    def open(self, index, sealed, last, header_digest):
        try:
            return self._aead.decrypt(self._nonce(index, last), sealed, header_digest)
        except InvalidTag:
            raise BackupError(
                "The backup file is damaged: its contents do not match their checksum "
                "(a changed byte, or a file cut short). Nothing was restored."
            ) from None


def header_digest(header_bytes):
    return hashlib.sha256(header_bytes).digest()


def write_chunks(file_key, digest, plaintext_chunks, out):
    """Seal each chunk and write it with its length; the last one is marked as last (one
    chunk of look-ahead), so a file cut at a chunk boundary is refused too."""
    index, pending = 0, None
    for chunk in plaintext_chunks:
        if pending is not None:
            _write_sealed(out, file_key.seal(index, pending, False, digest))
            index += 1
        pending = chunk
    _write_sealed(out, file_key.seal(index, pending or b"", True, digest))


def _write_sealed(out, sealed):
    out.write(LENGTH.pack(len(sealed)))
    out.write(sealed)


def read_chunks(file_key, digest, source):
    """The opened chunks, in order. A file that ends before its last chunk, or goes on
    after it, is refused."""
    index = 0
    while True:
        raw_length = source.read(LENGTH.size)
        if len(raw_length) < LENGTH.size:
            raise _truncated()
        (length,) = LENGTH.unpack(raw_length)
        if length < TAG_BYTES or length > CHUNK_BYTES + TAG_BYTES:
            raise BackupError("The backup file is damaged (a chunk length is impossible).")
        sealed = source.read(length)
        if len(sealed) < length:
            raise _truncated()
        last = source.peek(1)[:1] == b""  # a buffered file: the end is known without reading
        yield _open_chunk(file_key, index, sealed, last, digest)
        if last:
            return
        index += 1


def _open_chunk(file_key, index, sealed, last, digest):
    try:
        return file_key.open(index, sealed, last, digest)
    except BackupError:
        if not last:
            raise
    # The file ends here, but this chunk was not sealed as the last one: cut short.
    try:
        file_key.open(index, sealed, False, digest)
    except BackupError:
        raise BackupError(
            "The backup file is damaged: its contents do not match their checksum. "
            "Nothing was restored."
        ) from None
    raise _truncated()


def _truncated():
    return BackupError(
        "The backup file is incomplete (cut short, e.g. by a full disk or an interrupted "
        "copy). Nothing was restored."
    )
