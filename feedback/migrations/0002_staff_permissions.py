"""Both staff groups moderate what visitors send: they see page feedback and suggested
corrections and can accept, reject or mark suggestions as spam; Publishers may also delete
them. (Nobody adds either: they come from visitors.)"""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def group_codenames() -> dict[str, list[str]]:
    editors = ["view_pagefeedback", "view_correctionsuggestion", "change_correctionsuggestion"]
    return {
        "Editors": editors,
        "Publishers": editors + ["delete_pagefeedback", "delete_correctionsuggestion"],
    }


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
            *Permission.objects.filter(content_type__app_label="feedback", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=group_codenames()):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="feedback"))


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_initial"),
        ("cooperation", "0002_editor_and_publisher_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
