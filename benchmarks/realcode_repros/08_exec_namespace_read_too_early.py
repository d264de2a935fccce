# A read of the namespace exec() fills runs before exec (gettext.c2py, dataclasses._create_fn).
import time

from desync import desync


def parse(expression):
    time.sleep(0.1)
    return expression


@desync(cache=False)
def compile_plural(expression):
    ns = {}
    exec(f"def func(n):\n    return int({parse(expression)})", ns)
    return ns["func"]


print(compile_plural("n != 1")(2))
