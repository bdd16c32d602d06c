import pytest
from django.contrib.auth.models import Group

from tests.browser import browser_page  # noqa: F401  (a fixture for the browser tests)


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user("editor", password="pw-editor-1", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def publisher(django_user_model):
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


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: the data version is a row in the test database,
    so a rolled-back test would otherwise leave answers under a version number the next test
    reaches again with different data."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
