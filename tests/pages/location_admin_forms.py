"""What the admin's location form posts, for the tests that drive it."""


def location_admin_data(location=None, **fields):
    """What the admin's location form posts: the location's fields (or a new one's) and
    the opening-hours and closure inlines, empty unless given (see `hours_rows`)."""
    data = {
        "name": location.name if location else "Papillion",
        "slug": location.slug if location else "papillion",
        "sort_order": str(location.sort_order) if location else "30",
        "street_address": "",
        "city": "",
        "state": "",
        "postal_code": "",
        "phone": "",
        "time_zone": "America/Chicago",
        "map_url": "",
        "staff_notes": "",
        "photo_alt": "",
        "notification_email": "",
    }
    if location is None or location.is_active:
        data["is_active"] = "on"
    rows = fields.pop("hours_rows", [])
    closures = fields.pop("closure_dates", [])
    data.update(
        {
            "opening_hours-TOTAL_FORMS": str(len(rows)),
            "opening_hours-INITIAL_FORMS": "0",
            "closures-TOTAL_FORMS": str(len(closures)),
            "closures-INITIAL_FORMS": "0",
        }
    )
    for i, (weekday, opens, closes) in enumerate(rows):
        data[f"opening_hours-{i}-weekday"] = str(weekday)
        data[f"opening_hours-{i}-opens"] = opens
        data[f"opening_hours-{i}-closes"] = closes
    for i, day in enumerate(closures):
        data[f"closures-{i}-date"] = day
    data.update(fields)
    return data
