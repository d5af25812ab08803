"""CSV export of consultation requests, streamed in chunks so memory stays flat however
many rows staff export."""

import csv
import io

from django.utils import timezone, translation

from pages.phones import format_phone

from .models import ConsultationRequest

CHUNK_ROWS = 500


def csv_safe(value):
    """Stop spreadsheet apps from running patient-typed text as a formula."""
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _when(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


# (column title, value from .values_list(), how to show it; None: the choice's label)
COLUMNS = [
    ("Number", "pk", str),
    ("Received", "created_at", _when),
    ("Clinic", "location__name", str),
    ("Status", "status", None),
    ("Assigned to", "assigned_to__username", lambda v: v or ""),
    ("First contacted", "first_contacted_at", _when),
    ("First name", "first_name", str),
    ("Last name", "last_name", str),
    ("Phone", "phone", format_phone),
    ("Phone extension", "phone_extension", str),
    ("E-mail", "email", str),
    ("Preferred contact", "contact_method", None),
    ("Best time", "best_time", None),
    ("Topic", "topic", None),
    ("New or returning", "patient_type", None),
    ("Message", "message", str),
    ("Language for care", "preferred_language", None),
    ("Other language", "preferred_language_other", str),
    ("Interpreter needed", "interpreter_needed", lambda v: "yes" if v else "no"),
]


def _choice_label(field):
    # Staff read the export in English, whatever language the patient used.
    with translation.override("en"):
        labels = {k: str(v) for k, v in ConsultationRequest._meta.get_field(field).choices}
    return lambda v: labels.get(v, v)


def csv_chunks(queryset):
    """Yield the CSV text, header first, CHUNK_ROWS rows at a time."""
    show = [fmt or _choice_label(field) for _, field, fmt in COLUMNS]
    rows = queryset.order_by("pk").values_list(*(field for _, field, _ in COLUMNS))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([title for title, _, _ in COLUMNS])
    for count, row in enumerate(rows.iterator(chunk_size=2000), start=1):
        writer.writerow([csv_safe(fn(value)) for fn, value in zip(show, row, strict=True)])
        if count % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
