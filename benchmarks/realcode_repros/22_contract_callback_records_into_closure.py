# Contract today (issue 17 asks desync to infer it): a callback that records into
# a list of the body, passed to a callee (re.sub(record, ...)).
import re
import time

from desync import desync


@desync(cache=False)
def words(text):
    seen = []

    def record(match):
        time.sleep(0.05)
        seen.append(match.group())
        return match.group().upper()

    shouted = re.sub(r"\w+", record, text)
    count = len(seen)
    return shouted, count


print(words("a bb ccc"))
