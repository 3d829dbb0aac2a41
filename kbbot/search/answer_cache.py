"""The engine's answers kept for the same question asked again within one content generation.

Customers ask the same questions over and over (on a real help center their counts follow a Zipf
curve), and an answer depends only on the question as searched, what it is asked in the context of
(the question a follow-up leans on, the sections already shown) and the knowledge base: within one
content generation a repeated question needs neither the model nor the indexes. The generation is
part of each key, so an answer from before a publish (on any worker: the engine sees the database's
generation move before it answers) is never served after it.
"""

import copy
import threading
from collections import OrderedDict


class AnswerCache:
    """At most `size` answers, the least recently used dropped first; a size of 0 keeps none.

    Answers go in and come out as copies: a caller may change the one it gets.
    """

    def __init__(self, size):
        self.size = size
        self._answers = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        """A copy of the answer kept for `key`, or None."""
        with self._lock:
            answer = self._answers.get(key)
            if answer is None:
                return None
            self._answers.move_to_end(key)
        return copy.deepcopy(answer)

    def put(self, key, answer):
        """Keep `answer` for `key`, dropping the least recently used beyond `size`."""
        if not self.size:
            return
        kept = copy.deepcopy(answer)
        with self._lock:
            self._answers[key] = kept
            self._answers.move_to_end(key)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)

    def clear(self):
        with self._lock:
            self._answers.clear()

    def __len__(self):
        return len(self._answers)
