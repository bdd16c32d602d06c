"""Compile locale/*/LC_MESSAGES/*.po into .mo files with polib.

Django's own compilemessages needs GNU gettext's msgfmt, which a fresh machine with only
python3 and make does not have; this does the same job in pure Python.
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile the .po translation catalogues into .mo files (no GNU gettext needed)."

    def handle(self, *args, **options):
        count = 0
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
                catalogue = polib.pofile(str(po_path))
                problems = [
                    e.msgid
                    for e in catalogue
                    if e.fuzzy or e.obsolete is False and not e.translated()
                ]
                if problems:
                    raise CommandError(
                        f"{po_path}: {len(problems)} untranslated or fuzzy entries, "
                        f"e.g. {problems[0]!r}"
                    )
                mo_path = po_path.with_suffix(".mo")
                catalogue.save_as_mofile(str(mo_path))
                count += 1
                self.stdout.write(f"Compiled {po_path.relative_to(settings.BASE_DIR)}")
        if not count:
            raise CommandError("No .po files found under LOCALE_PATHS.")
