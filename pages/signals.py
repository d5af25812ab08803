from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import cache, outage
from .models import Location


@receiver(post_save, sender=Location)
@receiver(post_delete, sender=Location)
def location_changed(instance, **kwargs):
    # Its own pages and the pages that list locations; other clinics' pages stay warm.
    cache.invalidate_on_commit(cache.location_tag(instance), cache.LISTS_LOCATIONS)
    outage.remember_clinic_phones(Location.objects.active())
