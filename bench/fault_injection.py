"""Faults to inject, shared by bench/faults.py and the tests of each guarantee (tests/test_faults.py,
tests/test_outages.py): PostgreSQL and Redis servers that really stop and start again, and a full disk."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


class PostgresServer:
    """A PostgreSQL server of its own (a new cluster in a temporary folder, on a free port), so that a
    scenario can stop and start it for real while the shared server keeps running for everyone else.

    The cluster belongs to the `postgres` system user when this runs as root (PostgreSQL refuses to
    run as root), hence a folder of its own under the system's temporary folder; `trust`
    authentication on loopback only. `remove` stops it and deletes the folder.
    """

    def __init__(self):
        self.directory = Path(tempfile.mkdtemp(prefix="kbbot-postgres-"))
        self.data = self.directory / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        self._run("initdb", "--auth=trust", "--username=postgres", "--no-sync", "-D", str(self.data))

    def start(self):
        """Start and wait until it accepts connections."""
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.directory / "log"), "-o", options, "-w", "start")

    def stop(self):
        """A fast shutdown, as a restart does: every session is disconnected, open transactions roll back."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self):
        """Stop it if it runs, and delete its cluster."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop", check=False)
        shutil.rmtree(self.directory)

    def _run(self, program, *arguments, check=True):
        command = [str(postgres_program(program)), *arguments]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=check, capture_output=True, cwd=self.directory)


def postgres_program(name):
    """The path of a PostgreSQL server program (initdb, pg_ctl), or None where the server is not installed."""
    found = shutil.which(name) or next(iter(sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))), None)
    return Path(found) if found else None


class RedisServer:
    """A Redis server of its own on a free port, keeping nothing on disk (as the shared one), that a
    scenario can stop and start again on the same port."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process = None

    def start(self):
        """Start and wait until it answers."""
        self._process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self):
        """Stop it: what it held in memory (rate-limit counts) is gone, as after a real restart."""
        if self._process:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fill_disk(directory):
    """Fill the file system of `directory` to the last byte (a file named `filler` in it)."""
    with open(directory / "filler", "wb") as filler:
        try:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        except OSError:
            pass
