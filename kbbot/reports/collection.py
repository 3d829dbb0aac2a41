"""Building a report with Python's cyclic garbage collector paused (`paused_collection`)."""

import gc
from contextlib import contextmanager


@contextmanager
def paused_collection():
    """Pause the cyclic garbage collector while a report is read and judged, then let it run again.

    A report over many conversations allocates hundreds of thousands of small containers (decoded
    facts, events), none of them garbage while it runs; every 700 allocations make the collector
    walk the young ones, and its older generations walk them all again: 2 of 10.6 s of a 90-day
    report at 100,000 conversations (docs/benchmarks.md). Reference counting frees what the report
    drops as before; only cycles wait until the collector is back. Process-wide, like the collector.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
