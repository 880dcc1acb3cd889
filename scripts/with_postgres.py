"""Run a command against a throwaway PostgreSQL server.

    python scripts/with_postgres.py python -m pytest tests/services -q

Creates a cluster in a temporary folder, starts it listening only on a Unix
socket inside that folder (no TCP port to collide with another run or a system
server), creates database ``sales_test``, runs the command with
``SALES_TEST_DATABASE_URL`` set, then stops the server and deletes the folder,
whatever happened. Exits with the command's exit code.

PostgreSQL refuses to run as root; when we are root (CI), initdb and the server
run as the ``postgres`` user (Debian's package creates it) or else ``nobody``,
and own the temporary folder. The command itself keeps our own identity.
Stdlib only, so it needs nothing beyond the PostgreSQL server binaries.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

DATABASE = "sales_test"
SUPERUSER = "postgres"  # role created by initdb; trust auth on our private socket only
SETTINGS = """
# Throwaway test server: durability is worthless here, speed is not.
listen_addresses = ''
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 50
"""


def fail(message: str) -> None:
    print(f"with_postgres: {message}", file=sys.stderr)
    sys.exit(2)


def _version_key(path: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path))


def find_bindir() -> Path:
    """The folder holding initdb, pg_ctl and postgres together. Debian keeps them
    off PATH in /usr/lib/postgresql/<version>/bin, with at most pg_ctl linked in."""
    candidates: list[Path] = []
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)  # follow the /usr/local/bin link
    if shutil.which("pg_config"):
        found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        if found.returncode == 0:
            candidates.append(Path(found.stdout.strip()))
    packaged = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    candidates += [Path(p) for p in packaged]
    for bindir in candidates:
        if all((bindir / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres", "createdb")):
            return bindir
    fail("no PostgreSQL server binaries (initdb, pg_ctl, postgres) found on PATH, via "
         "`pg_config --bindir` or in /usr/lib/postgresql/*/bin; run `bash .ci/install-postgres` "
         "(Debian: apt-get install postgresql)")
    raise AssertionError  # unreachable


def server_account() -> pwd.struct_passwd | None:
    """Whom the server runs as: ourselves, unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    fail("running as root, but there is no `postgres` or `nobody` user to run the server as")
    raise AssertionError  # unreachable


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    bindir = find_bindir()
    account = server_account()
    # The default temp dir (/tmp) lets an unprivileged server user reach its folder.
    workdir = Path(tempfile.mkdtemp(prefix="sales-pg-"))
    datadir, logfile = workdir / "data", workdir / "server.log"

    as_server: dict = {"cwd": workdir}  # the server user may not be allowed into our cwd
    if account is not None:
        os.chown(workdir, account.pw_uid, account.pw_gid)
        as_server.update(user=account.pw_uid, group=account.pw_gid, extra_groups=[])

    def run_as_server(*args: str) -> None:
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, **as_server)

    # A SIGTERM (CI timeout, `kill`) must still stop the server and clear the folder.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    started = False
    try:
        run_as_server(str(bindir / "initdb"), "--pgdata", str(datadir), "--username", SUPERUSER,
                      "--auth", "trust", "--encoding", "UTF8", "--locale", "C", "--no-sync",
                      "--no-instructions")
        with open(datadir / "postgresql.conf", "a") as conf:
            conf.write(SETTINGS + f"unix_socket_directories = '{workdir}'\n")
        try:
            started = True  # pg_ctl may fail after the postmaster is up; stop it anyway
            run_as_server(str(bindir / "pg_ctl"), "--pgdata", str(datadir), "--log", str(logfile),
                          "--wait", "--silent", "start")
        except subprocess.CalledProcessError:
            log = logfile.read_text(errors="replace") if logfile.exists() else "(no log)"
            fail(f"the PostgreSQL server did not start; its log:\n{log}")
        subprocess.run([str(bindir / "createdb"), "--host", str(workdir), "--username", SUPERUSER,
                        DATABASE], check=True, cwd=workdir)
        url = f"postgresql+psycopg://{SUPERUSER}@/{DATABASE}?host={workdir}"
        print(f"with_postgres: PostgreSQL ({bindir}) at {url}", file=sys.stderr)
        env = dict(os.environ, SALES_TEST_DATABASE_URL=url)
        return subprocess.run(argv, env=env).returncode
    finally:
        if started:
            # "immediate": no checkpoint, the data is thrown away next.
            subprocess.run([str(bindir / "pg_ctl"), "--pgdata", str(datadir), "--mode", "immediate",
                            "--silent", "stop"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **as_server)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
