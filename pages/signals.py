from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import cache, outage
from .models import Location


@receiver(post_save, sender=Location)
@receiver(post_delete, sender=Location)
def location_changed(**kwargs):
    cache.invalidate()
    outage.remember_clinic_phones(Location.objects.active())
