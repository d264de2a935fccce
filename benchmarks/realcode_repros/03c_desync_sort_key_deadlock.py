# A desync sort key never finishes when sorted() runs as the continuation of a
# pending value (pprint: sorted(object.items(), key=_safe_tuple)).
import time

from desync import desync


@desync(cache=False)
def key(word):
    box = {}
    box["w"] = word
    return box["w"]


def slow(words):
    time.sleep(0.1)
    return words


@desync(cache=False)
def ordered(words):
    result = sorted(slow(words), key=key)
    return result


print(ordered(["b", "a"]))
