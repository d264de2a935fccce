# Contract today (issue 17 asks desync to infer it): a bound-method alias mutates
# its object (fnmatch.translate, json's pairs_append, base64.a85decode).
import time

from desync import desync


def shout(word):
    time.sleep(0.05)
    return word.upper()


@desync(cache=False)
def collect(words):
    out = []
    add = out.append
    for word in words:
        add(shout(word))
    return ",".join(out)


print(collect(["a", "b", "c"]))
