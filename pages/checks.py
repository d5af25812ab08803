"""A system check for medical pages whose last clinical review is over a year old.

Deploy-only (`manage.py check --deploy`, see README): it reads the database, which plain
`check` runs (and `migrate` on an empty database) must not need.
"""

from django.core.checks import Warning, register
from django.db import DatabaseError

from .models import REVIEW_MAX_AGE_DAYS, ClinicalReview


@register("pages", deploy=True)
def check_clinical_reviews(app_configs, **kwargs):
    try:
        overdue = ClinicalReview.objects.overdue_pages()
    except DatabaseError:
        return []  # no tables yet (a fresh database): nothing has been reviewed
    return [
        Warning(
            f"The {review.get_page_display()} ({language}) was last reviewed by a clinician "
            f"on {review.reviewed_on}, more than {REVIEW_MAX_AGE_DAYS} days ago.",
            hint="Have a clinician review it, then add a clinical review in the admin.",
            obj=review,
            id="pages.W001",
        )
        for _page, language, review in overdue
    ]
