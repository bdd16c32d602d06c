"""Both staff groups see the review queue; what a publisher may decide is the record type's
own publish permission (curation/review.py), not a permission on the queue."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def group_codenames() -> dict[str, list[str]]:
    return {"Editors": ["view_revision"], "Publishers": ["view_revision", "change_revision"]}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in group_codenames().items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="curation", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=group_codenames()):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="curation"))


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0002_revision"),
        ("cooperation", "0002_editor_and_publisher_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
