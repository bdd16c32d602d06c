"""Keep the initiatives' search index current when what it includes changes."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .models import (
    CooperationArea,
    Initiative,
    InitiativeParticipant,
    Organization,
    refresh_search_index,
)


@receiver(post_save, sender=InitiativeParticipant)
@receiver(post_delete, sender=InitiativeParticipant)
def participant_changed(sender, instance, raw=False, **kwargs):
    if not raw:  # a restore (loaddata) brings the stored index with it
        refresh_search_index([instance.initiative_id])


@receiver(m2m_changed, sender=Initiative.areas.through)
def areas_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        refresh_search_index([instance.pk])
    elif pk_set:
        refresh_search_index(pk_set)
    elif action == "post_clear":
        refresh_search_index(
            Initiative.objects.filter(areas=instance).values_list("pk", flat=True)
        )


@receiver(post_save, sender=Organization)
def organization_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh_search_index(
            instance.initiative_participations.values_list("initiative_id", flat=True).distinct()
        )


@receiver(post_save, sender=CooperationArea)
def area_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh_search_index(instance.initiatives.values_list("pk", flat=True))
