"""How many calls of the answer engine run at once: per client address, and on this machine.

An engine call (a chat message, a search) costs a core for a fraction of a second to a second; a
page costs milliseconds. Rate limits (rate_limits.py) count calls over minutes; these caps count the
calls running now, so that a few connections sending long queries back to back cannot take every
core from the pages:

- `InFlight` counts an address's calls running at once, in this process's memory, or in Redis
  when the rate limits' store is Redis (then every worker shares the count). A Redis count is a
  set of leases that expire, so a worker killed mid-call frees its place within `LEASE_SECONDS`.
- `MachineSlots` are N lock files in the instance folder; a call holds one (`flock`) while it runs,
  so all the worker processes on this machine together run at most N calls, and the kernel frees a
  dead process's slot.
"""

import fcntl
import os
import secrets
import threading
import time
from collections import Counter

from limits.storage import RedisStorage

LEASE_SECONDS = 120  # longer than any engine call; a lease its worker never returned ends then

# Drop the expired leases, then take one if fewer than the cap are held: atomic in Redis.
_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
    redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
    redis.call('EXPIRE', KEYS[1], ARGV[5])
    return 1
end
return 0
"""


class InFlight:
    """At most `cap` calls at once per key (a client address)."""

    def __init__(self, cap, storage):
        self.cap = cap
        self._redis = storage.storage if isinstance(storage, RedisStorage) else None
        # The exceptions the store's client raises (one class or a tuple of them).
        errors = storage.base_exceptions if self._redis is not None else ()
        self.store_errors = errors if isinstance(errors, tuple) else (errors,)
        self._acquire_script = self._redis.register_script(_ACQUIRE) if self._redis is not None else None
        self._lock = threading.Lock()
        self._running = Counter()

    def acquire(self, key):
        """A lease (pass it to `release`) when `key` has fewer than `cap` calls running, else None.

        Raises one of `store_errors` when the shared store cannot be reached.
        """
        if self._redis is None:
            with self._lock:
                if self._running[key] >= self.cap:
                    return None
                self._running[key] += 1
            return (key, None)
        token = secrets.token_hex(8)
        now = time.time()
        taken = self._acquire_script(
            keys=[f"kbbot:engine-calls:{key}"],
            args=[now, self.cap, now + LEASE_SECONDS, token, LEASE_SECONDS],
        )
        return (key, token) if taken else None

    def release(self, lease):
        key, token = lease
        if self._redis is None:
            with self._lock:
                self._running[key] -= 1
                if self._running[key] <= 0:
                    del self._running[key]
        else:
            self._redis.zrem(f"kbbot:engine-calls:{key}", token)


class MachineSlots:
    """`count` slots shared by every process on this machine, as lock files in `directory`."""

    POLL_SECONDS = 0.02

    def __init__(self, count, directory):
        self.count = count
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._paths = [directory / f"slot-{number}.lock" for number in range(count)]

    def acquire(self, wait_seconds):
        """A held slot (pass it to `release`): the first free one, waiting up to `wait_seconds`; None if
        none came free."""
        deadline = time.monotonic() + wait_seconds
        start = secrets.randbelow(self.count)  # processes spread over the slots rather than all poll slot 0
        while True:
            for offset in range(self.count):
                path = self._paths[(start + offset) % self.count]
                # A new open file each try: a lock belongs to an open file, so two threads of one process
                # holding one file would both "hold" the slot.
                descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(descriptor)
                    continue
                return descriptor
            if time.monotonic() >= deadline:
                return None
            time.sleep(self.POLL_SECONDS)

    @staticmethod
    def release(slot):
        os.close(slot)  # closing the file drops its lock
