"""The project's own PostgreSQL server (portal/localdb.py): started when needed, shared, stopped
by the last user, robust to crashes, and clear in one line when it cannot start.

Each test runs a server of its own, in its own folder, on a free port."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from portal import localdb
from portal.settings import BASE_DIR
from tests.servers import free_port


@pytest.fixture
def server(tmp_path):
    local = localdb.LocalServer(tmp_path / "pgdata", port=free_port())
    yield local
    local.stop()


def query(server, sql: str, database: str = "portal"):
    with psycopg.connect(server.url(database), autocommit=True) as db:
        cursor = db.execute(sql)
        return cursor.fetchall() if cursor.description else None


def cli(home: Path, port: int, *arguments: str, **options) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", localdb.LEASE_ENV)}
    env.update(PORTAL_DB_HOME=str(home), PORTAL_DB_PORT=str(port))
    return subprocess.run(
        [sys.executable, "-m", "portal.localdb", *arguments],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        **options,
    )


def test_the_first_lease_starts_it_and_the_last_one_stops_it(server):
    first = server.acquire()
    assert server.running_pid()
    assert query(server, "SELECT current_setting('server_version_num')::int / 10000") == [(18,)]
    # The contrib modules search needs are there.
    query(server, "CREATE EXTENSION unaccent; CREATE EXTENSION pg_trgm")
    assert query(server, "SELECT unaccent('Nguyễn Ștefan ő')") == [("Nguyen Stefan o",)]
    second = server.acquire(name="manual")
    assert not server.release(first)
    assert server.running_pid()
    assert server.release(second)
    assert server.running_pid() is None


def test_data_outlives_the_server_and_a_restart_reuses_it(server):
    lease = server.acquire()
    query(server, "CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)")
    server.release(lease)
    assert server.running_pid() is None
    lease = server.acquire()
    assert query(server, "SELECT x FROM kept") == [(42,)]
    server.release(lease)


def test_it_listens_on_the_loopback_only_and_asks_for_the_password(server):
    lease = server.acquire()
    assert query(server, "SHOW listen_addresses") == [("127.0.0.1",)]
    wrong = server.url().replace(server.password(), "not-the-password")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(wrong)
    assert oct(server.password_file.stat().st_mode & 0o777) == "0o600"
    server.release(lease)


def test_a_lease_whose_process_died_no_longer_counts(server):
    lease = server.acquire()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (server.leases / str(dead.pid)).write_text(json.dumps({"pid": dead.pid, "started": 0}))
    assert server.release(lease)  # the dead process's lease did not keep it running
    assert server.running_pid() is None


def test_a_server_killed_outright_is_restarted_cleanly(server):
    server.acquire()
    pid = server.running_pid()
    os.kill(pid, signal.SIGKILL)  # a crash: postmaster.pid is left behind
    for _ in range(100):
        if not localdb._alive(pid):
            break
        time.sleep(0.1)
    assert (server.data / "postmaster.pid").exists()
    lease = server.acquire()
    assert server.running_pid() not in (None, pid)
    assert query(server, "SELECT 1") == [(1,)]
    server.release(lease)


def test_a_stale_pid_file_naming_another_live_process_is_cleared(server):
    server.release(server.acquire())  # created, then stopped
    pid_file = server.data / "postmaster.pid"
    # After a crash and a reboot, the recorded pid may belong to something else entirely.
    pid_file.write_text(
        f"{os.getpid()}\n{server.data}\n0\n{server.port}\n\n127.0.0.1\n0 0\nready\n"
    )
    assert server.running_pid() is None and not pid_file.exists()
    lease = server.acquire()
    assert query(server, "SELECT 1") == [(1,)]
    server.release(lease)


def test_each_checkout_has_a_port_of_its_own(tmp_path, monkeypatch):
    monkeypatch.delenv("PORTAL_DB_PORT", raising=False)
    ports = {localdb.LocalServer(tmp_path / f"clone-{n}" / ".pgdata").port for n in range(20)}
    assert len(ports) > 15 and all(54320 <= p < 54520 for p in ports)
    assert localdb.LocalServer(tmp_path / "clone-1" / ".pgdata").port in ports  # stable
    monkeypatch.setenv("PORTAL_DB_PORT", "60001")
    assert localdb.LocalServer(tmp_path / "x").port == 60001
    monkeypatch.setenv("PORTAL_DB_PORT", "http")
    with pytest.raises(localdb.LocalDatabaseError, match="PORTAL_DB_PORT must be a port"):
        localdb.LocalServer(tmp_path / "x")


def test_a_taken_port_is_said_in_one_line(server):
    with socket.socket() as other:
        other.bind(("127.0.0.1", server.port))
        other.listen()
        with pytest.raises(localdb.LocalDatabaseError) as error:
            server.acquire()
    message = str(error.value)
    assert f"port {server.port}" in message and "PORTAL_DB_PORT=" in message
    assert "\n" not in message
    assert server.running_pid() is None


def test_a_data_folder_from_another_major_version_is_said_in_one_line(server):
    server.release(server.acquire())
    (server.data / "PG_VERSION").write_text("16\n")
    with pytest.raises(localdb.LocalDatabaseError) as error:
        server.acquire()
    message = str(error.value)
    assert "PostgreSQL 16" in message and "PostgreSQL 18" in message
    assert "make db-reset" in message and "\n" not in message


@pytest.fixture
def small_disk(tmp_path):
    """A 24 MB file system (tmpfs): too small for a cluster."""
    mount = tmp_path / "small"
    mount.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)], capture_output=True
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {result.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_said_in_one_line(small_disk, monkeypatch):
    server = localdb.LocalServer(small_disk / "pgdata", port=free_port())
    # Checked before starting: not enough room.
    with pytest.raises(localdb.LocalDatabaseError) as error:
        server.acquire()
    assert "is full" in str(error.value) and "free some space" in str(error.value)
    # And if the check lets it through, the server's own failure is recognised.
    monkeypatch.setattr(localdb, "MIN_FREE_BYTES", 1024 * 1024)
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * 20 * 1024 * 1024)  # leaves about 4 MB
    with pytest.raises(localdb.LocalDatabaseError) as error:
        server.acquire()
    message = str(error.value)
    assert "is full" in message and "\n" not in message, message
    assert not (server.data / "PG_VERSION").exists()
    filler.unlink()


def test_a_missing_wheel_is_said_in_one_line(monkeypatch, tmp_path):
    monkeypatch.setattr(localdb.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(localdb.LocalDatabaseError, match="make install"):
        localdb.LocalServer(tmp_path / "pgdata", port=free_port()).acquire()


# -- The command line, as make uses it ---------------------------------------------------------


def test_run_starts_the_server_for_the_command_and_stops_it_after(tmp_path):
    home, port = tmp_path / "pgdata", free_port()
    check = (
        "import os, psycopg; from portal import localdb; "
        "print(psycopg.connect(localdb.url()).execute('SELECT 1').fetchone()[0], "
        "os.environ['PORTAL_DB_LEASE'])"
    )
    result = cli(home, port, "run", "--", sys.executable, "-c", check)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", str(home)]
    assert localdb.LocalServer(home, port).running_pid() is None
    # The command's own exit status comes back.
    assert cli(home, port, "run", "--", sys.executable, "-c", "exit(3)").returncode == 3


def test_ctrl_c_stops_the_command_and_leaves_no_server_running(tmp_path):
    home, port = tmp_path / "pgdata", free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", localdb.LEASE_ENV)}
    env.update(PORTAL_DB_HOME=str(home), PORTAL_DB_PORT=str(port))
    ready = tmp_path / "ready"
    wait = f"import pathlib, time; pathlib.Path({str(ready)!r}).touch(); time.sleep(60)"
    process = subprocess.Popen(
        [sys.executable, "-m", "portal.localdb", "run", "--", sys.executable, "-c", wait],
        env=env,
        cwd=BASE_DIR,
        start_new_session=True,  # its own process group, as a terminal's foreground job
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        if ready.exists():
            break
        time.sleep(0.1)
    server = localdb.LocalServer(home, port)
    assert server.running_pid()
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends to the foreground group
    process.wait(timeout=60)
    assert server.running_pid() is None
    assert not list(server.leases.glob("*"))


def test_a_failure_exits_non_zero_with_one_line(tmp_path):
    port = free_port()
    with socket.socket() as other:
        other.bind(("127.0.0.1", port))
        other.listen()
        result = cli(tmp_path / "pgdata", port, "run", "--", "true")
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and f"port {port}" in lines[0], result.stderr


def test_a_second_run_uses_the_server_the_first_one_started(tmp_path):
    home, port = tmp_path / "pgdata", free_port()
    assert cli(home, port, "start").returncode == 0
    pid = localdb.LocalServer(home, port).running_pid()
    result = cli(home, port, "run", "--", sys.executable, "-c", "pass")
    assert result.returncode == 0
    assert localdb.LocalServer(home, port).running_pid() == pid  # reused, and left running
    assert "stopped" in cli(home, port, "stop").stdout.lower()
    assert "stopped" in cli(home, port, "status").stdout
    shutil.rmtree(home, ignore_errors=True)
