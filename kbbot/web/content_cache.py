"""Responses built from every published article, kept by each process until the content changes.

The sitemap lists every article: built for each request it took 1.5 s at 10,000 articles. What it
says depends only on the content generation (`db.generation`, moved by every publish on any worker)
and the address it is served under, so it is built once per generation and address, and again after
the next publish.
"""

import threading

MAX_KEYS = 16  # values kept per generation: the Host header that names an address is the client's to choose


class ContentCache:
    """Values of the current content generation, by key; a newer generation empties it."""

    def __init__(self):
        self._generation = None
        self._values = {}
        self._lock = threading.Lock()

    def get(self, generation, key, build):
        """The value kept for `key` in `generation`, else `build()`, kept (up to `MAX_KEYS` keys)."""
        with self._lock:
            if generation != self._generation:
                self._generation, self._values = generation, {}
            if key in self._values:
                return self._values[key]
        value = build()
        with self._lock:
            if generation == self._generation and len(self._values) < MAX_KEYS:
                self._values[key] = value
        return value
