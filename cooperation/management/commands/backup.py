"""Write every record of the portal to one JSON file, restorable with `manage.py restore`.

The file holds the cooperation records (both languages, every field, drafts included), the
staff groups and user accounts, as Django fixtures with natural keys for content types, so it
loads into an empty database of either engine. For a whole PostgreSQL server, pg_dump remains
the tool (README, "Backup and restore").
"""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand

#: What a backup holds. Sessions, admin history and sign-in attempts are left out.
BACKUP_MODELS = ["auth.group", "auth.user", "cooperation"]
EXCLUDED = ["cooperation.DataVersion"]


class Command(BaseCommand):
    help = "Back up every record (both languages, drafts included) to a JSON file."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the file to write (.json)")

    def handle(self, *args, path: Path, **options):
        path.parent.mkdir(parents=True, exist_ok=True)
        call_command(
            "dumpdata",
            *BACKUP_MODELS,
            exclude=EXCLUDED,
            natural_foreign=True,
            natural_primary=True,  # groups and accounts by name: they merge with migrate's
            format="exact-json",
            indent=1,
            output=str(path),
            verbosity=0,
        )
        self.stdout.write(f"Backed up to {path} ({path.stat().st_size:,} bytes).")
