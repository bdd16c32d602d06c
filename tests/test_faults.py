"""Faults, injected into the real thing: gunicorn (production settings, two workers, the page
cache in Redis) over a PostgreSQL server and a Redis server of this module's own, under a
steady load, while Redis stops, PostgreSQL restarts, PostgreSQL stays down, and a statement
outlasts the timeout. Prints what was sent and what came back, fault by fault.

    .venv/bin/pytest -s tests/test_faults.py     # the figures on the terminal
"""

import collections
import shutil
import subprocess
import threading
import time

import psycopg
import pytest

from portal import localdb
from tests.servers import free_port, get, manage, production_environment, start_gunicorn, stop

PAGES = ["/en/", "/fr/", "/en/initiatives/?q=energy", "/fr/initiatives/", "/api/initiatives/"]
#: The statement timeout of the servers under test (a blocked statement is cut off after it).
TIMEOUT_MS = 1500


class Load:
    """Requests in a loop from a few threads; every answer's status is counted."""

    def __init__(self, url: str, threads: int = 3):
        self.url, self.threads = url, threads
        self.statuses: collections.Counter = collections.Counter()
        self.slowest = 0.0
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def _run(self, offset: int):
        n = offset
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                status = get(self.url + PAGES[n % len(PAGES)])[0]
            except OSError as error:
                status = type(error).__name__
            with self._lock:
                self.statuses[status] += 1
                self.slowest = max(self.slowest, time.monotonic() - started)
            n += 1

    def __enter__(self):
        self._workers = [
            threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(self.threads)
        ]
        for worker in self._workers:
            worker.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=30)

    def total(self) -> int:
        return sum(self.statuses.values())


@pytest.fixture(scope="module")
def stack(tmp_path_factory, content_fixture):
    """A PostgreSQL server and a Redis server of this module's own, and gunicorn over them."""
    redis_server = shutil.which("redis-server")
    if not redis_server:
        pytest.skip("redis-server is not installed")
    home = tmp_path_factory.mktemp("faults") / "pgdata"
    database = localdb.LocalServer(home, port=free_port())
    lease = database.acquire()
    redis_port = free_port()
    redis = subprocess.Popen(
        [redis_server, "--bind", "127.0.0.1", "--port", str(redis_port), "--save", ""],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    env = production_environment(
        database.url(),
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        DJANGO_STATEMENT_TIMEOUT_MS=str(TIMEOUT_MS),
        GUNICORN_ACCESSLOG="",
        GUNICORN_TIMEOUT="20",
    )
    env.pop(localdb.LEASE_ENV, None)
    manage(env, "migrate", "--noinput")
    manage(env, "restore", str(content_fixture))
    server, url = start_gunicorn(env, workers=2)
    figures = []
    stack = {
        "url": url,
        "database": database,
        "redis": redis,  # replaced when a test starts Redis again
        "redis_command": [
            redis_server,
            "--bind",
            "127.0.0.1",
            "--port",
            str(redis_port),
            "--save",
            "",
        ],
        "figures": figures,
    }
    try:
        yield stack
    finally:
        stop(server)
        stack["redis"].terminate()
        stack["redis"].wait(timeout=10)
        database.release(lease)
        database.stop()
        _print_figures(figures)


def _print_figures(figures):
    lines = [
        "",
        "Faults injected under load (gunicorn, 2 workers, 3 client threads):",
        f"{'fault':<44}{'requests':>9}  {'answers by status':<40}{'slowest':>9}  survived",
    ]
    for name, load, survived in figures:
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(load.statuses.items(), key=str))
        lines.append(
            f"{name:<44}{load.total():>9}  {statuses:<40}{load.slowest:>8.2f}s  "
            f"{'yes' if survived else 'NO'}"
        )
    print("\n".join(lines))


def _wait_for(condition, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def _all_ok(url: str) -> bool:
    return all(get(url + page)[0] == 200 for page in PAGES)


def test_redis_stopped_mid_load_pages_stay_200(stack):
    url = stack["url"]
    assert _all_ok(url)  # cached in Redis
    with Load(url) as load:
        time.sleep(1)
        stack["redis"].terminate()
        stack["redis"].wait(timeout=10)
        time.sleep(3)
    health = get(url + "/healthz")
    survived = set(load.statuses) == {200}
    stack["figures"].append(("Redis stopped mid-load", load, survived))
    assert survived, load.statuses
    assert health[0] == 200 and b'"cache": "degraded"' in health[2]
    stack["redis"] = subprocess.Popen(
        stack["redis_command"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    assert _wait_for(lambda: b'"cache": "ok"' in get(url + "/healthz")[2])


def test_postgresql_restarted_mid_load_the_next_requests_recover(stack):
    url, database = stack["url"], stack["database"]
    with Load(url) as load:
        time.sleep(1)
        database.stop()
        time.sleep(1)
        database.start()
        recovered = _wait_for(lambda: _all_ok(url), seconds=30)
        time.sleep(1)
    during = set(load.statuses) - {200, 503}
    survived = recovered and not during
    stack["figures"].append(("PostgreSQL restarted mid-load", load, survived))
    assert recovered, "gunicorn did not recover once PostgreSQL was back"
    assert not during, load.statuses  # while it was down: 503s, never a 500


def test_postgresql_down_public_pages_answer_503_in_the_visitors_language(stack):
    url, database = stack["url"], stack["database"]
    database.stop()
    try:
        with Load(url) as load:
            time.sleep(2)
        english = get(url + "/en/initiatives/")
        french = get(url + "/fr/initiatives/")
        api = get(url + "/api/initiatives/")
        health = get(url + "/healthz")
    finally:
        database.start()
    survived = set(load.statuses) == {503}
    stack["figures"].append(("PostgreSQL down", load, survived))
    assert survived, load.statuses
    assert english[0] == french[0] == api[0] == 503
    assert b"temporarily unavailable" in english[2] and b'lang="en"' in english[2]
    assert "momentanément indisponible".encode() in french[2] and b'lang="fr"' in french[2]
    assert english[1]["Retry-After"] == "30"
    for body in (english[2], french[2], api[2]):
        assert b"Traceback" not in body and b"psycopg" not in body
    assert health[0] == 503
    assert _wait_for(lambda: _all_ok(url))


def test_a_statement_over_the_timeout_is_a_503_not_a_hang(stack):
    url, database = stack["url"], stack["database"]
    # Another session holds a lock every request needs (the data version's table).
    with psycopg.connect(database.url()) as blocker:
        blocker.execute("LOCK TABLE cooperation_dataversion IN ACCESS EXCLUSIVE MODE")
        with Load(url, threads=2) as load:
            time.sleep(TIMEOUT_MS / 1000 * 3)
        blocker.rollback()
    survived = set(load.statuses) <= {503} and load.slowest < TIMEOUT_MS / 1000 + 3
    stack["figures"].append((f"a statement over the {TIMEOUT_MS} ms timeout", load, survived))
    assert set(load.statuses) == {503}, load.statuses
    assert load.slowest < TIMEOUT_MS / 1000 + 3  # cut off, not hanging
    assert _wait_for(lambda: _all_ok(url))
