"""The backup file: a header (format, cipher, salt, key check, manifest), then the database
snapshot compressed with zlib and sealed in chunks (crypto.py). Written to a temporary file
and renamed, so a backup file is either complete or absent. Files are readable by their
owner only.

    MODSITE-BACKUP\\n | format version (1 byte) | header length (4 bytes) | header JSON | chunks
"""

import hashlib
import json
import os
import zlib
from datetime import UTC, datetime
from pathlib import Path

from . import crypto
from .crypto import BackupError

MAGIC = b"MODSITE-BACKUP\n"
FORMAT_VERSION = 1
SUFFIX = ".backup"
READ_BYTES = 1024 * 1024
MARKER = "last-backup.json"


def write(snapshot, manifest, key, folder, prefix, progress=None):
    """Compress and encrypt the `snapshot` file into `folder`; returns the new file's path."""
    folder = Path(folder)
    target = _free_name(folder, prefix)
    partial = folder / f".{target.name}.partial"
    file_key = crypto.FileKey(key)
    header = json.dumps(
        {
            "cipher": "AES-256-GCM",
            "compression": "zlib",
            "salt": file_key.salt.hex(),
            "key_check": file_key.check,
            "manifest": manifest,
        },
        sort_keys=True,
    ).encode("utf-8")
    prefix_bytes = MAGIC + bytes([FORMAT_VERSION]) + crypto.LENGTH.pack(len(header)) + header
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(prefix_bytes)
            chunks = _compressed(snapshot, progress)
            crypto.write_chunks(file_key, crypto.header_digest(prefix_bytes), chunks, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    _sync_folder(folder)
    return target


def _free_name(folder, prefix):
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target, n = folder / f"{prefix}-{stamp}{SUFFIX}", 1
    while target.exists():
        n += 1
        target = folder / f"{prefix}-{stamp}-{n}{SUFFIX}"
    return target


def _compressed(snapshot, progress):
    """The snapshot's bytes compressed, in pieces of at most one chunk."""
    size = max(Path(snapshot).stat().st_size, 1)
    compressor, pending, done = zlib.compressobj(6), b"", 0
    with open(snapshot, "rb") as source:
        while piece := source.read(READ_BYTES):
            done += len(piece)
            pending += compressor.compress(piece)
            while len(pending) >= crypto.CHUNK_BYTES:
                yield pending[: crypto.CHUNK_BYTES]
                pending = pending[crypto.CHUNK_BYTES :]
            if progress:
                progress(done, size)
    pending += compressor.flush()
    while len(pending) > crypto.CHUNK_BYTES:
        yield pending[: crypto.CHUNK_BYTES]
        pending = pending[crypto.CHUNK_BYTES :]
    yield pending


def _sync_folder(folder):
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_header(source):
    """The header of an open backup file, checked for form (not yet authenticated)."""
    if source.read(len(MAGIC)) != MAGIC:
        raise BackupError("This is not a backup file made by `manage.py backup`.")
    version = source.read(1)
    if not version:
        raise BackupError("The backup file is incomplete (it ends inside its header).")
    if version[0] != FORMAT_VERSION:
        raise BackupError(
            f"This backup file is in format {version[0]}, made by a newer version of the "
            f"site; this one reads format {FORMAT_VERSION}. Nothing was changed."
        )
    raw_length = source.read(crypto.LENGTH.size)
    (length,) = crypto.LENGTH.unpack(raw_length.rjust(crypto.LENGTH.size, b"\0"))
    header_bytes = source.read(length) if len(raw_length) == crypto.LENGTH.size else b""
    if len(header_bytes) < length or not header_bytes:
        raise BackupError("The backup file is incomplete (it ends inside its header).")
    try:
        header = json.loads(header_bytes)
        salt = bytes.fromhex(header["salt"])
        if not isinstance(header["manifest"]["tables"], dict) or not header["key_check"]:
            raise ValueError("incomplete header")
    except (ValueError, KeyError, TypeError):
        raise BackupError("The backup file is damaged (its header cannot be read).") from None
    prefix_bytes = MAGIC + version + raw_length + header_bytes
    return header, salt, crypto.header_digest(prefix_bytes)


def open_checked(path, key):
    """(manifest, reader) once the key is known to be the one the file was made with;
    reader(target) then writes the snapshot to `target`, authenticating every byte and
    checking the snapshot's checksum."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}.")
    with open(path, "rb") as source:
        header, salt, digest = read_header(source)
    file_key = crypto.FileKey(key, salt)
    if not file_key.matches(header["key_check"]):
        raise BackupError(
            "This backup was made with a different BACKUP_KEY; set the key it was made "
            "with. Nothing was changed."
        )
    manifest = header["manifest"]

    def reader(target):
        _extract(path, file_key, digest, manifest, target)

    return manifest, reader


def _extract(path, file_key, digest, manifest, target):
    hasher, decompressor = hashlib.sha256(), zlib.decompressobj()
    with open(path, "rb") as source, open(target, "wb") as out:
        read_header(source)
        try:
            for chunk in crypto.read_chunks(file_key, digest, source):
                plain = decompressor.decompress(chunk)
                hasher.update(plain)
                out.write(plain)
            tail = decompressor.flush()
        except zlib.error:
            raise BackupError("The backup file is damaged (it cannot be decompressed).") from None
        hasher.update(tail)
        out.write(tail)
    if not decompressor.eof or hasher.hexdigest() != manifest["snapshot"]["sha256"]:
        raise BackupError(
            "The backup file is damaged: the restored snapshot does not match the checksum "
            "in its manifest. Nothing was changed."
        )


def backups_in(folder, prefix="modsite"):
    """The folder's backups with this prefix, oldest first: by the time in the name, then
    by the number added when two were made in the same second."""
    return sorted(Path(folder).glob(f"{prefix}-*{SUFFIX}"), key=_made_order)


def _made_order(path):
    stamp, _, number = path.name.removesuffix(SUFFIX).partition("Z-")
    return stamp.removesuffix("Z"), int(number) if number.isdigit() else 1


def prune(folder, keep, prefix="modsite"):
    """Delete all but the newest `keep` backups; returns the deleted paths."""
    files = backups_in(folder, prefix)
    doomed = files[: max(len(files) - keep, 0)] if keep else []
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def record_success(folder, path, manifest):
    """The marker /healthz reads: a small file next to the backups (it survives restarts
    and every worker sees it), replaced atomically."""
    marker = Path(folder) / MARKER
    partial = marker.with_name(f".{MARKER}.partial")
    partial.write_text(
        json.dumps(
            {
                "finished_at": datetime.now(UTC).isoformat(),
                "file": path.name,
                "bytes": path.stat().st_size,
                "made_at": manifest["created_at"],
            }
        )
    )
    os.replace(partial, marker)


def last_success(folder):
    """When the last backup into `folder` finished (an aware datetime), or None."""
    try:
        data = json.loads((Path(folder) / MARKER).read_text())
        return datetime.fromisoformat(data["finished_at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
