"""A clinic's pages show a "Book a time" link only while it has bookable hours: adding or
removing a type or its windows redraws that clinic's kept pages and the kept lists of
clinics (home page, finder), whose cards show the link too (pages.cache)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from pages import cache

from .models import AppointmentType, BookableWindow


@receiver(post_save, sender=AppointmentType)
@receiver(post_delete, sender=AppointmentType)
def type_changed(instance, **kwargs):
    cache.invalidate_on_commit(cache.location_tag(instance.location_id), cache.LISTS_LOCATIONS)


@receiver(post_save, sender=BookableWindow)
@receiver(post_delete, sender=BookableWindow)
def window_changed(instance, **kwargs):
    location_id = (
        AppointmentType.objects.filter(pk=instance.appointment_type_id)
        .values_list("location_id", flat=True)
        .first()
    )
    if location_id is not None:
        cache.invalidate_on_commit(cache.location_tag(location_id), cache.LISTS_LOCATIONS)
