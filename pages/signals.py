from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from . import cache, outage, sitemaps
from .models import (
    CivilRightsCoordinator,
    ClinicalReview,
    ClosureDate,
    ContentUpdate,
    LanguageTagline,
    Location,
    OpeningHours,
)


@receiver(post_save, sender=Location)
@receiver(post_delete, sender=Location)
def location_changed(instance, **kwargs):
    # Its own pages and the pages that list locations; other clinics' pages stay warm.
    cache.invalidate_on_commit(cache.location_tag(instance), cache.LISTS_LOCATIONS)
    sitemaps.drop()  # it lists the active locations, each with its lastmod
    outage.remember_clinic_phones(Location.objects.active())


@receiver(post_save, sender=OpeningHours)
@receiver(post_delete, sender=OpeningHours)
@receiver(post_save, sender=ClosureDate)
@receiver(post_delete, sender=ClosureDate)
def hours_changed(instance, **kwargs):
    # Only the location's own pages show its hours (lists show address and phone): those
    # are redrawn, and its sitemap lastmod moves. A queryset update sends no signal.
    Location.objects.filter(pk=instance.location_id).update(updated_at=timezone.now())
    cache.invalidate_on_commit(cache.location_tag(instance.location_id))
    sitemaps.drop()


# Reviews and updates are shown on treatment pages, taglines on the language notice, the
# coordinator on the notice of nondiscrimination.
@receiver(post_save, sender=ClinicalReview)
@receiver(post_delete, sender=ClinicalReview)
@receiver(post_save, sender=ContentUpdate)
@receiver(post_delete, sender=ContentUpdate)
@receiver(post_save, sender=LanguageTagline)
@receiver(post_delete, sender=LanguageTagline)
@receiver(post_save, sender=CivilRightsCoordinator)
@receiver(post_delete, sender=CivilRightsCoordinator)
def page_text_changed(**kwargs):
    cache.invalidate_on_commit()
