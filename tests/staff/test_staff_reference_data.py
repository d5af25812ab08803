"""staff.reference is what the migrations make: the same groups, the same permissions."""

import pytest
from django.contrib.auth.models import Group

from staff.reference import GROUP_APPS, STAFF_GROUPS, create_staff_groups


def groups_in_the_database():
    return {
        group.name: sorted(
            (p.content_type.app_label in GROUP_APPS, p.codename)
            for p in group.permissions.select_related("content_type")
        )
        for group in Group.objects.all()
    }


def groups_in_the_module():
    return {name: sorted((True, c) for c in codenames) for name, codenames in STAFF_GROUPS.items()}


@pytest.mark.django_db
def test_the_reference_groups_are_what_the_migrations_made():
    assert groups_in_the_database() == groups_in_the_module()


@pytest.mark.django_db
def test_the_reference_groups_can_be_made_again_after_they_are_gone():
    Group.objects.all().delete()
    create_staff_groups()
    assert groups_in_the_database() == groups_in_the_module()
