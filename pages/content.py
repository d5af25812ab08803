"""Facts about the medical copy itself (the copy lives in templates, reviewed by clinicians)."""

import datetime

# Update when a clinician reviews templates/pages/isotretinoin.html.
ISOTRETINOIN_LAST_REVIEWED = datetime.date(2026, 11, 23)
