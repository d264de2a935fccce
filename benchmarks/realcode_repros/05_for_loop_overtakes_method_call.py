# The for loop advances its iterator past a pending method call on the same object.
import io

from desync import desync


@desync(cache=False)
def pairs(f):
    out = []
    for line in f:
        out.append(line.strip() + f.readline().strip())
    return out


print(pairs(io.StringIO("a\nb\nc\nd\n")))
