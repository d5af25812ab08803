"""One reading of US phone numbers, for the clinic phones staff type and the patients' form."""

import phonenumbers


def parse_us_phone(raw):
    """The valid number in what someone typed ("(402) 555-0100", "402.555.0100 x12"), or
    None when it is not a number anyone could call."""
    try:
        number = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def e164(number):
    """How numbers are stored: +14025550100 (an extension is kept apart)."""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display(stored):
    """A stored E.164 number as patients read it: national format for US numbers,
    “(402) 555-0100”, international for others; anything unreadable as it is."""
    try:
        number = phonenumbers.parse(stored, "US")
    except phonenumbers.NumberParseException:
        return stored
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 1
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


def format_phone(stored, extension=""):
    """A patient's stored number for staff: “(402) 555-0123”, with “ ext. 12” when they
    gave an extension; other countries in international format."""
    if not stored:
        return ""
    if extension:
        return f"{display(stored)} ext. {extension}"
    return display(stored)


def dial_string(stored, extension=""):
    """What a tel: link dials: the number, then a pause (",") and the extension."""
    return stored + (f",{extension}" if stored and extension else "")
