"""How long the `kbbot` commands that need no model take, as a person running them waits.

A scratch instance of the sample help center (its database and index built first, with the
model), then each command run a few times as a fresh process, hyperfine-like: the median
wall-clock and CPU time (user + system) of the runs, and whether any run loaded the embedding
model (its log line). Target (issue 22): under 3 s each, none loading the model.

    python bench/cli_startup.py [--no-write]
"""

import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from sections import run_and_record

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5
PASSWORD = "correct horse battery staple"
# (label, arguments; {run} is the run's number, so that each run creates a user of its own)
COMMANDS = (
    ("kbbot --help", ["--help"]),
    ("kbbot init", ["init"]),
    ("kbbot index (nothing to do)", ["index"]),
    (
        "kbbot user create",
        ["user", "create", "editor{run}@example.com", "--role", "editor", "--password-stdin"],
    ),
    ("kbbot token create", ["token", "create", "editor{run}@example.com", "--name", "bench"]),
    ("kbbot report", ["report"]),
    ("kbbot export", ["export", "{workdir}/export-{run}"]),
)
MODEL_LOADED = "loaded the embedding model"


@dataclass(frozen=True)
class CliTiming:
    command: str
    wall_s: float  # median over the runs
    cpu_s: float  # median user + system time of the process
    runs: int
    model_loaded: bool  # in any run


def kbbot(workdir, args, stdin=""):
    """Run `kbbot args` on the scratch instance in `workdir`: (wall seconds, CPU seconds, stderr)."""
    environ = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "KBBOT_DATABASE_URL": f"sqlite:///{workdir / 'kbbot.sqlite3'}",
        "KBBOT_INDEX_DIR": str(workdir / "index"),
        "KBBOT_INSTANCE_PATH": str(workdir / "instance"),
        "KBBOT_ARTICLES_DIR": str(ROOT / "articles"),
        "KBBOT_TRUSTED_HOSTS": "localhost",
    }
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", "from kbbot.cli import main; main()", *args],
        input=stdin,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise RuntimeError(f"kbbot {' '.join(args)} failed: {result.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, result.stderr


def measure_cli(workdir, runs=RUNS, commands=COMMANDS):
    """`CliTiming`s of `commands` ((label, arguments) pairs) on a scratch instance in `workdir` whose
    database and index are built first (the sample help center, embedded once)."""
    workdir = Path(workdir)
    kbbot(workdir, ["sync", str(ROOT / "articles")])
    kbbot(workdir, ["index"])
    rows = []
    for label, arguments in commands:
        samples = []
        for run in range(runs):
            args = [argument.format(run=run, workdir=workdir) for argument in arguments]
            samples.append(kbbot(workdir, args, stdin=f"{PASSWORD}\n" if "--password-stdin" in args else ""))
        rows.append(
            CliTiming(
                label,
                statistics.median(wall for wall, _, _ in samples),
                statistics.median(cpu for _, cpu, _ in samples),
                runs,
                any(MODEL_LOADED in log for _, _, log in samples),
            )
        )
    return rows


def table(rows):
    load = ", ".join(f"{figure:.1f}" for figure in os.getloadavg())
    lines = [
        f"Measured with `python bench/cli_startup.py`: each command run {rows[0].runs} times as a fresh "
        f"process on the sample help center's scratch instance (load average {load} when it ended, "
        f"on {os.cpu_count()} cores); medians.",
        "",
        "| command | wall s | CPU s | model loaded |",
        "|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row.command} | {row.wall_s:.2f} | {row.cpu_s:.2f} | {'yes' if row.model_loaded else 'no'} |"
        )
    return lines


def main(argv=None):
    return run_and_record(__doc__, "cli-startup", lambda workdir: table(measure_cli(workdir)), argv)


if __name__ == "__main__":
    sys.exit(main())
