"""Keep today's free-text address, hours and phone, character for character, in staff notes.

Free text cannot be split into street, city, ZIP and hours rows without guessing, so staff
re-enter them in the structured fields; until then the pages show none of it (as they do
for a location without details), and the notes keep every character. A phone number that
reads as one valid number is also stored, as E.164, in the new phone field.
"""

import phonenumbers
from django.db import migrations, models

import pages.models

NOTE_HEADINGS = [
    ("address", "Address as entered before structured fields (re-enter it above):"),
    ("hours", "Opening hours as entered before hours rows (re-enter them below):"),
    ("phone", "Phone as entered before:"),
]


def _e164(raw):
    try:
        number = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def forwards(apps, schema_editor):
    Location = apps.get_model("pages", "Location")
    for location in Location.objects.all():
        parts = [location.staff_notes] if location.staff_notes else []
        for field, heading in NOTE_HEADINGS:
            value = getattr(location, field)
            if value:
                parts.append(f"{heading}\n{value}")
        location.staff_notes = "\n\n".join(parts)
        location.phone = _e164(location.phone) if location.phone else ""
        location.save(update_fields=["staff_notes", "phone"])


class Migration(migrations.Migration):
    dependencies = [("pages", "0003_structured_contact_and_hours")]

    operations = [
        # Going back keeps the notes (nothing is lost); the old fields come back empty.
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RemoveField(model_name="location", name="address"),
        migrations.RemoveField(model_name="location", name="hours"),
        migrations.AlterField(
            model_name='location',
            name='phone',
            field=models.CharField(blank=True, help_text='Number patients should call, e.g. (402) 555-0100.', max_length=20, validators=[pages.models.validate_e164_phone], verbose_name='phone'),
        ),
    ]
