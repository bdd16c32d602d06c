"""Create a local administrator for `make run` (debug only) and say how to log in."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

PASSWORD_FILE = settings.BASE_DIR / ".local-admin-password"


class Command(BaseCommand):
    help = (
        "In debug mode, create the superuser 'admin' if no superuser exists; print how to log in."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("ensure_local_admin only runs with DJANGO_DEBUG on.")
        User = get_user_model()
        if not User.objects.filter(is_superuser=True).exists():
            password = secrets.token_urlsafe(12)
            User.objects.create_superuser("admin", "admin@localhost", password)
            PASSWORD_FILE.write_text(password + "\n", encoding="utf-8")
            PASSWORD_FILE.chmod(0o600)
        if (
            User.objects.filter(username="admin", is_superuser=True).exists()
            and PASSWORD_FILE.exists()
        ):
            password = PASSWORD_FILE.read_text(encoding="utf-8").strip()
            self.stdout.write(
                f"Back office: http://127.0.0.1:8000/admin/  user: admin  password: {password}"
            )
        else:
            self.stdout.write(
                "Back office: http://127.0.0.1:8000/admin/ (log in with your superuser; "
                "reset a password with: .venv/bin/python manage.py changepassword <user>)"
            )
