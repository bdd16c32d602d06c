import pytest
from django.contrib.auth.models import Group

from tests.browser import browser_page  # noqa: F401  (a fixture for the browser tests)


@pytest.fixture
def staff_groups(db):
    """The Editors and Publishers groups, as migration 0002 makes them (again, after a
    transactional test has flushed the tables)."""
    import importlib

    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    for config in apps.get_app_configs():
        create_permissions(config, verbosity=0)
    migration = importlib.import_module("cooperation.migrations.0002_editor_and_publisher_groups")
    migration.create_groups(apps, None)


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
def collected_static_files():
    """Tests run with production static storage (hashed, compressed): collect once per run."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    # The live server for browser tests would serve /static/ through the finders, which know
    # nothing of the hashed names production pages link to; serve the collected files.
    import django.contrib.staticfiles.handlers as handlers
    from django.test.testcases import _StaticFilesHandler

    handlers.StaticFilesHandler = _StaticFilesHandler


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: the data version is a row in the test database,
    so a rolled-back test would otherwise leave answers under a version number the next test
    reaches again with different data."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
