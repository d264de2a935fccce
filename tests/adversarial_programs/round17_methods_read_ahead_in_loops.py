"""A method that only reads a local object (``counts.get(w, 0)``, ``state.copy()``,
``seen.count(o)``, ``names.index(x)``, ``acc.total()``), inside an ``if`` whose test
calls a function, in a loop: desync computed it ahead of the ``if`` without waiting
for the changes made to that object before it (the previous iteration's store, this
iteration's ``append``). The counting loop lost counts; ``index`` raised a ValueError
plain Python never raises.
Run: DESYNC_PACING=0 python tests/adversarial_programs/round17_methods_read_ahead_in_loops.py"""
import sys, os, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main  # noqa: E402


def is_word(w):
    time.sleep(0.005)
    return w.isalpha()


def valid(x):
    time.sleep(0.005)
    return True


class Acc:
    def __init__(self):
        self.items = []

    def add(self, x):
        self.items.append(x)

    def total(self):
        return sum(self.items)


def counts_words(words):
    counts = {}
    for w in words:
        if is_word(w):
            counts[w] = counts.get(w, 0) + 1
    return counts


def counts_words_in_an_elif(words):
    counts = {}
    for w in words:
        if w == "skip":
            continue
        elif is_word(w):
            counts[w] = counts.get(w, 0) + 1
    return counts


def snapshots_after_a_change(words):
    state, hist, seen = {}, [], []
    for ev in words:
        state["last"] = ev
        seen.append(ev)
        if valid(ev):
            hist.append((state.copy(), seen.count(ev), seen.index(ev)))
    return hist


def a_class_of_yours_read_after_its_change(words):
    acc, out = Acc(), []
    for i, w in enumerate(words):
        acc.add(i)
        if valid(w):
            out.append(acc.total())
    return out


def a_cache_entry_dropped_then_read(words):
    cache, out = {"a": "old", "b": "old"}, []
    for w in words[:2]:
        if is_word(w):
            cache.pop(w, None)
        try:
            out.append(cache.get(w, "fresh"))
        except KeyError:
            out.append(None)
    return out


def _words():
    return (["a", "b", "a", "1", "a", "b"],)


CASES = [(f, _words) for f in (counts_words, counts_words_in_an_elif, snapshots_after_a_change,
                              a_class_of_yours_read_after_its_change,
                              a_cache_entry_dropped_then_read)]

if __name__ == "__main__":
    print("cases:", len(CASES))
    main(CASES)
