"""Create the two staff groups: Editors (add and change, cannot publish) and Publishers."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = (
    "source", "citation", "cooperationarea", "organization", "agreement", "agreementparty",
    "initiative", "initiativeparticipant", "recommendation",
)
PUBLISHABLE = ("source", "cooperationarea", "organization", "agreement", "initiative",
               "recommendation")


def editor_codenames() -> list[str]:
    return [f"{action}_{model}" for model in MODELS for action in ("add", "change", "view")] + [
        # Editors manage the inline rows (participants, citations) of the records they edit.
        f"delete_{model}" for model in ("citation", "agreementparty", "initiativeparticipant")
    ]


def publisher_codenames() -> list[str]:
    return editor_codenames() + [f"delete_{model}" for model in MODELS] + [
        f"publish_{model}" for model in PUBLISHABLE
    ]


def create_groups(apps, schema_editor):
    # Permissions are normally created after migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in (("Editors", editor_codenames()), ("Publishers", publisher_codenames())):
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="cooperation", codename__in=codenames)
        )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Publishers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cooperation", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
