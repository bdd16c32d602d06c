"""Load a file written by `manage.py backup` into this database, in one transaction.

Refuses to mix with existing records unless --replace is given, which first removes every
cooperation record in the same transaction: a failed restore leaves the database as it was.
Accounts and groups are matched by name: those in the file are restored as the file has them,
and those that are not in it (a curator who joined since the backup) are kept.
"""

import json
from pathlib import Path

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cooperation.models import DataVersion, rebuild_search_index


def cooperation_models():
    return [m for m in apps.get_app_config("cooperation").get_models() if m is not DataVersion]


class Command(BaseCommand):
    help = "Restore the records of a backup file (see manage.py backup)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--replace", action="store_true", help="remove the current records first"
        )

    def handle(self, *args, path: Path, replace: bool, **options):
        if not path.is_file():
            raise CommandError(f"No backup file at {path}.")
        try:
            json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"{path} is not a backup file: {exc}") from exc
        existing = sum(model.objects.count() for model in cooperation_models())
        if existing and not replace:
            raise CommandError(
                f"This database already holds {existing} records; restore into an empty "
                "database, or give --replace to remove them first."
            )
        with transaction.atomic():
            if replace:
                for model in reversed(cooperation_models()):  # dependents first
                    model.objects.all().delete()
            call_command("loaddata", str(path), verbosity=0)
            # The search index is derived data: recompute it rather than trust the file (its
            # rows arrive in any order, a link before the organization it names).
            rebuild_search_index()
        restored = sum(model.objects.count() for model in cooperation_models())
        self.stdout.write(f"Restored {restored} records from {path}.")
