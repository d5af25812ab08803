from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import cache, outage
from .models import ClinicalReview, ContentUpdate, LanguageTagline, Location


@receiver(post_save, sender=Location)
@receiver(post_delete, sender=Location)
def location_changed(**kwargs):
    cache.invalidate()
    outage.remember_clinic_phones(Location.objects.active())


# Reviews and updates are shown on treatment pages, taglines on the language notice.
@receiver(post_save, sender=ClinicalReview)
@receiver(post_delete, sender=ClinicalReview)
@receiver(post_save, sender=ContentUpdate)
@receiver(post_delete, sender=ContentUpdate)
@receiver(post_save, sender=LanguageTagline)
@receiver(post_delete, sender=LanguageTagline)
def page_text_changed(**kwargs):
    cache.invalidate()
