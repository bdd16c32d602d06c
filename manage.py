#!/usr/bin/env python
import os
import sys

#: Commands that never touch the database: they do not start the local server.
WITHOUT_DATABASE = {
    "check",
    "collectstatic",
    "compile_translations",
    "compilemessages",
    "help",
    "makemessages",
    "version",
}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    from django.core.management import execute_from_command_line

    from portal import localdb

    command = sys.argv[1] if len(sys.argv) > 1 else "help"
    if command in WITHOUT_DATABASE or command.startswith("-"):
        execute_from_command_line(sys.argv)
        return
    # Without DATABASE_URL, the project's own PostgreSQL server runs for as long as the
    # command does (portal/localdb.py); with it, this changes nothing.
    with localdb.lease():
        execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
