import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from tests.browser import browser_page  # noqa: F401  (a fixture for the browser tests)


def pytest_configure(config):
    """Without DATABASE_URL, the project's own PostgreSQL server runs for the whole session
    (portal/localdb.py); gunicorn and manage.py started by tests use the same server.

    Passwords are hashed with a fast hasher in this process, as Django advises for tests (the
    site keeps PBKDF2's slowness, by design): each account a test makes costs microseconds
    instead of a third of a second."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    use_a_replica_database_of_its_own(settings)
    if os.environ.get("DATABASE_URL"):
        return
    from portal import localdb

    lease = localdb.default().lease()
    try:
        lease.__enter__()
    except localdb.LocalDatabaseError as exc:
        pytest.exit(f"error: {exc}", returncode=2)
    config.stash[LEASE] = lease


def use_a_replica_database_of_its_own(settings):
    """A "replica1" alias on the test server with a test database of its own, not a mirror of
    default: tests/test_replicas.py fills it with other data than the primary's, so that what
    a page shows says which database it was read from. No request is routed to it unless a
    test sets DATABASE_REPLICAS (the suite runs with none; pytest-django creates the database
    only for a run that has a test declaring it). Replicas from DATABASE_REPLICA_URLS are left
    out: a test run never reads a real replica."""
    for alias in [alias for alias in settings.DATABASES if alias != "default"]:
        del settings.DATABASES[alias]
    primary = settings.DATABASES["default"]  # already completed by django.db.connections
    test = primary.get("TEST", {})
    name = f"{test.get('NAME') or 'test_' + primary['NAME']}_replica1"
    settings.DATABASES["replica1"] = {**primary, "TEST": {**test, "NAME": name, "MIRROR": None}}
    settings.DATABASE_REPLICAS = []


def pytest_unconfigure(config):
    lease = config.stash.get(LEASE, None)
    if lease is not None:
        lease.__exit__(None, None, None)


LEASE = pytest.StashKey()


@pytest.fixture
def staff_groups(db):
    """The Editors and Publishers groups with migration 0002's permissions (made again when a
    transactional test has flushed the tables since)."""
    import importlib

    from django.contrib.auth.models import Permission

    migration = importlib.import_module("cooperation.migrations.0002_editor_and_publisher_groups")
    moderation = importlib.import_module("feedback.migrations.0002_staff_permissions")
    review = importlib.import_module("curation.migrations.0003_review_permissions")
    for name, codenames in (
        ("Editors", migration.editor_codenames()),
        ("Publishers", migration.publisher_codenames()),
    ):
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(
            Permission.objects.filter(
                content_type__app_label="cooperation", codename__in=codenames
            )
            | Permission.objects.filter(
                content_type__app_label="feedback",
                codename__in=moderation.group_codenames()[name],
            )
            | Permission.objects.filter(
                content_type__app_label="curation",
                codename__in=review.group_codenames()[name],
            )
        )


@pytest.fixture
def editor(django_user_model, staff_groups):
    user = django_user_model.objects.create_user("editor", password="pw-editor-1", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def publisher(django_user_model, staff_groups):
    user = django_user_model.objects.create_user(
        "publisher", password="pw-publisher-1", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Publishers"))
    return user


@pytest.fixture(scope="session", autouse=True)
def collected_static_files(request):
    """Tests run with production static storage (hashed, compressed): collect once per run,
    by whichever of the run's processes (make test runs two) comes first."""
    import fcntl

    from django.conf import settings
    from django.core.management import call_command

    run = getattr(request.config, "workerinput", {}).get("testrunuid") or str(os.getpid())
    marker = Path(settings.STATIC_ROOT) / ".collected-for"
    Path(settings.STATIC_ROOT).mkdir(exist_ok=True)
    with open(Path(settings.STATIC_ROOT).parent / ".collectstatic.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists() or marker.read_text() != run:
            call_command("collectstatic", interactive=False, verbosity=0)
            marker.write_text(run)
    # The live server for browser tests would serve /static/ through the finders, which know
    # nothing of the hashed names production pages link to; serve the collected files.
    import django.contrib.staticfiles.handlers as handlers
    from django.test.testcases import _StaticFilesHandler

    handlers.StaticFilesHandler = _StaticFilesHandler


@pytest.fixture(autouse=True)
def english_to_begin_with():
    """Each test starts in the default language, whatever the one before it activated."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: the data version is a row in the test database,
    so a rolled-back test would otherwise leave answers under a version number the next test
    reaches again with different data."""
    from django.core.cache import caches

    for alias in ("default", "pages"):
        caches[alias].clear()
    yield
    for alias in ("default", "pages"):
        caches[alias].clear()


@pytest.fixture(scope="session", autouse=True)
def no_stray_connections(django_db_setup, django_db_blocker):
    """At the end, close the sessions left on the test database, so it can be dropped:
    Playwright runs a browser test's body in a greenlet of its own, whose database connection
    Django never sees again."""
    yield
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(scope="session")
def content_fixture(django_db_setup, django_db_blocker, tmp_path_factory):
    """The shipped content, loaded once per session as `make run` loads it and kept as a
    fixture file (the test database is left as it was)."""
    from django.core.management import call_command
    from django.db import transaction

    # To the microsecond (plain JSON would cut times to the millisecond).
    path = tmp_path_factory.mktemp("content") / "shipped.exact-json"
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_content", verbosity=0)
        call_command(
            "dumpdata",
            "cooperation",
            exclude=["cooperation.dataversion"],
            natural_foreign=True,
            format="exact-json",
            output=str(path),
            verbosity=0,
        )
        transaction.set_rollback(True)
    return path


@pytest.fixture(scope="session")
def content_snapshot(content_fixture, django_db_blocker):
    from tests.snapshot import ContentSnapshot

    with django_db_blocker.unblock():  # the dump names content types by their natural key
        return ContentSnapshot(content_fixture)


@pytest.fixture
def shipped_content(request, content_snapshot):
    """The portal's shipped bilingual content, in this test's database (inside its
    transaction, or committed for a transactional test)."""
    if "transactional_db" not in request.fixturenames and "live_server" not in (
        request.fixturenames
    ):
        request.getfixturevalue("db")
    content_snapshot.restore()


@pytest.fixture(scope="session")
def site_template(content_fixture):
    """A database of its own holding the migrated schema and the shipped content, committed,
    for servers started as separate processes (gunicorn) to copy."""
    from django.db import connections

    from tests import servers

    name = f"{connections['default'].settings_dict['NAME']}_site_{os.getpid()}"
    env = servers.production_environment(servers.create_database(name))
    servers.manage(env, "migrate", "--noinput")
    servers.manage(env, "restore", str(content_fixture))
    yield name
    servers.drop_database(name)


@pytest.fixture
def site_database(site_template):
    """A fresh copy of the site template for one test: its address."""
    from tests import servers

    name = f"{site_template}_copy"
    yield servers.create_database(name, template=site_template)
    servers.drop_database(name)
