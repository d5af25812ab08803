from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from . import cache, outage
from .models import ClosureDate, Location, OpeningHours


@receiver(post_save, sender=Location)
@receiver(post_delete, sender=Location)
def location_changed(**kwargs):
    cache.invalidate()
    outage.remember_clinic_phones(Location.objects.active())


@receiver(post_save, sender=OpeningHours)
@receiver(post_delete, sender=OpeningHours)
@receiver(post_save, sender=ClosureDate)
@receiver(post_delete, sender=ClosureDate)
def hours_changed(instance, **kwargs):
    # The location's pages show its hours: the sitemap's lastmod moves, kept pages go.
    # (A queryset update sends no signal, so this does not count as a second save.)
    Location.objects.filter(pk=instance.location_id).update(updated_at=timezone.now())
    cache.invalidate()
