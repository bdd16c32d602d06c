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
