"""What the outbox sends. The app that owns a kind of message registers it (at import,
from its AppConfig.ready): its name, how to build the e-mail, the kind of record a row is
about, and whether one day's rows to one address go out as one e-mail. So the outbox
queues, claims, sends and retries without knowing any patient app."""

from collections.abc import Callable
from dataclasses import dataclass

_KINDS = {}


class Withdrawn(Exception):
    """Raised by a kind's build or recipient when its message is no longer wanted (a
    reminder for a visit since cancelled): the outbox drops the row instead of sending."""


@dataclass(frozen=True)
class Kind:
    name: str
    # (rows, recipient) -> EmailMessage: one row, or one day's rows to one address.
    build: Callable
    label: str = ""
    # "app_label.modelname" of the record each row is about; "" for a clinic's day.
    record_type: str = ""
    # One day's rows of this kind to one address are sent together, as one e-mail.
    by_day: bool = False
    # (row) -> address, for messages to someone other than the clinic's staff (a patient
    # who asked for e-mail). None: the clinic's notification address.
    recipient: Callable | None = None


def register(kind):
    _KINDS[kind.name] = kind
    return kind


def get(name):
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"No outbox kind {name!r} is registered.") from None


def for_record_type(record_type):
    for kind in _KINDS.values():
        if kind.record_type == record_type:
            return kind
    raise LookupError(f"No outbox kind is registered for {record_type!r}.")


def to_patient(name):
    """Whether rows of this kind are mailed to a patient (the kind names its own recipient).
    A kind no app registers (any more) counts as a patient's: whoever sees the outbox is
    shown and may search no more of it than of a patient's mail."""
    kind = _KINDS.get(name)
    return kind is None or kind.recipient is not None


def staff_kinds():
    """The names of the kinds mailed to a clinic's staff."""
    return [name for name in _KINDS if not to_patient(name)]
