"""Programs an adversarial tester wrote against the rule that consuming an
iterator is a change made in program order (wherever the iterator is held). Each
``prog_*`` is run plain and under desync; the ids name the tester's classes:
A: a loop over a user-held iterator of a built-in container, B: consumption
desync did not mark, C: iterables whose iteration changes them, D: a step run
again in order after a partial run."""
import collections
import io
import itertools
import time

GG = None
LOG = []


def slow(x=None):
    time.sleep(0.02)
    return x


class Holder:

    def __init__(self, it=None):
        self.it = it


class Box:
    pass


class Shared:
    """An iterable (no __next__) whose __iter__ hands out one shared iterator."""

    def __init__(self, n):
        self._it = iter(range(n))

    def __iter__(self):
        return self._it


def raisegen(n, at=2):
    for i in range(n):
        if i == at:
            raise ValueError(f'boom at {i}')
        yield i


def fmt(**kw):
    time.sleep(0.005)
    return sorted(kw.items())


class Draining:

    def __init__(self, n):
        self.items = list(range(n))

    def __iter__(self):
        while self.items:
            yield self.items.pop(0)


def loggen(n):
    for i in range(n):
        LOG.append(i)
        yield i


# A01: A: for-loop over a user-held iter(list) runs before an earlier sorted(it) queued behind a slow call
def prog_A01():
    it = iter([1, 2, 3])
    slow(1)
    first = sorted(it)
    out = []
    for x in it:
        out.append(x)
    return (first, out)


# A02: A: list comprehension over iter(list) runs before an earlier list(it)
def prog_A02():
    it = iter([1, 2, 3])
    a = slow(1)
    first = list(it)
    second = [x for x in it]
    return (a, first, second)


# A03: A: for-loop over h.it (iter(range)) runs before an earlier f-string consuming h.it that waits for slow()
def prog_A03():
    h = Holder(iter(range(4)))
    a = slow(1)
    first = f'{list(h.it)}{a}'
    out = []
    for x in h.it:
        out.append(x)
    return (first, out)


# A04: A: for-loop over a rebound module global iterator
def prog_A04():
    global GG
    GG = iter(range(4))
    a = slow(1)
    first = f'{list(GG)}{a}'
    out = []
    for x in GG:
        out.append(x)
    return (first, out)


# A05: A: comprehension over d['k'] / t[0] (iter(range))
def prog_A05():
    d = {'k': iter(range(4))}
    a = slow(1)
    first = f"{list(d['k'])}{a}"
    second = [x for x in d['k']]
    return (first, second)


# A06: A: [w for w in h.it] after a pending f-string consuming h.it
def prog_A06():
    h = Holder(iter(range(4)))
    a = slow(1)
    first = f'{list(h.it)}{a}'
    return (first, [w for w in h.it])


# A07: A: sum(x for x in it) over a local iter(range) (fans out into an owner loop)
def prog_A07():
    it = iter(range(4))
    a = slow(1)
    first = f'{list(it)}{a}'
    second = sum((x for x in it))
    return (first, second)


# A08: A: list(islice(it, 2)) waiting for slow(), then a loop over it
def prog_A08():
    h = Holder(iter(range(6)))
    a = slow(1)
    first = f'{list(itertools.islice(h.it, 2))}{a}'
    out = []
    for x in h.it:
        out.append(x)
    return (first, out)


# A09: A: m = map(str, h.it) consumed behind slow(), then a loop over h.it
def prog_A09():
    h = Holder(iter(range(6)))
    m = map(str, h.it)
    a = slow(1)
    first = f'{list(m)}{a}'
    out = []
    for x in h.it:
        out.append(x)
    return (first, out)


# A10: A: g = (x*2 for x in it) consumed behind slow(), then [x for x in it]
def prog_A10():
    it = iter(range(4))
    g = (x * 2 for x in it)
    a = slow(1)
    first = f'{list(g)}{a}'
    second = [x for x in it]
    return (first, second)


# A11: A: (a in it) behind slow(), then [x for x in it]
def prog_A11():
    it = iter(range(6))
    a = slow(2)
    first = a in it
    out = [x for x in it]
    return (first, out)


# A12: A: loop runs ahead over items plain Python never gives it, raising ZeroDivisionError plain Python never raises
def prog_A12():
    it = iter([1, 2, 0])
    a = slow(1)
    first = f'{list(it)}{a}'
    out = []
    for x in it:
        out.append(10 // x)
    return (first, out)


# A13: A: list(it) as a keyword argument (no dependency on slow) is still delayed, the comprehension is not
def prog_A13():
    it = iter([1, 2, 3])
    a = slow(1)
    first = fmt(rows=list(it), a=a)
    second = [x for x in it]
    return (first, second)


# A14: A: iter(dict) (dict_keyiterator)
def prog_A14():
    it = iter({'a': 1, 'b': 2})
    a = slow(1)
    first = f'{list(it)}{a}'
    return (first, [k for k in it])


# A15: A: class attribute iterator, comprehension
def prog_A15():

    class C:
        it = iter(range(3))
    a = slow(1)
    first = f'{list(C.it)}{a}'
    return (first, [x for x in C.it])


# A16: A: "".join(o.b.it) behind slow, then a for-loop over o.b.it (iter(str))
def prog_A16():
    o = Box()
    o.b = Box()
    o.b.it = iter('xyz')
    a = slow(1)
    first = ''.join(o.b.it) + str(a)
    out = []
    for c in o.b.it:
        out.append(c)
    return (first, out)


# A17: A: loop with break, then islice behind slow, then a second loop
def prog_A17():
    h = Holder(iter(range(6)))
    out = []
    for x in h.it:
        out.append(x)
        if x == 1:
            break
    a = slow(1)
    first = f'{list(itertools.islice(h.it, 1))}{a}'
    for x in h.it:
        out.append(x)
    return (out, first)


# A18: A: (sum(t[0]), a), then a for-loop over t[0]
def prog_A18():
    t = (iter([1, 2, 3]), 9)
    a = slow(1)
    first = (sum(t[0]), a)
    out = []
    for x in t[0]:
        out.append(x)
    return (first, out)


# A19: A (timing-dependent, ~20-40% of runs, pacing on or off): it = iter(slow([1,2,3])); the comprehension over it races the f-string
def prog_A19():
    it = iter(slow([1, 2, 3]))
    a = slow(1)
    first = f'{list(it)}{a}'
    second = [x for x in it]
    return (first, second)


# B01: B: list(getattr(h, 'it')) is not marked as consuming: runs ahead of the earlier f-string
def prog_B01():
    h = Holder()
    h.it = (x for x in range(3))
    a = slow(1)
    first = f'{list(h.it)}{a}'
    second = list(getattr(h, 'it'))
    return (first, second)


# B02: B: getattr on a StringIO held in an attribute
def prog_B02():
    h = Holder()
    h.it = io.StringIO('a\nb\n')
    a = slow(1)
    first = f'{list(h.it)}{a}'
    second = list(getattr(h, 'it'))
    return (first, second)


# B04: B: sorted(*[h.it]) / list(*[h.it]): a Starred arg of a consumer is not marked
def prog_B04():
    h = Holder()
    h.it = (x for x in [3, 1, 2])
    a = slow(1)
    first = f'{list(h.it)}{a}'
    second = sorted(*[h.it])
    return (first, second)


# B05: B: list(zip(*h.its)) consumes the iterators in a list attribute, not marked
def prog_B05():
    h = Box()
    h.its = [(x for x in range(2)), (x for x in range(3))]
    a = slow(1)
    first = f'{[list(x) for x in h.its]}{a}'
    second = list(zip(*h.its))
    return (first, second)


# B06: B: (lambda: list(h.it))() called inline runs ahead
def prog_B06():
    h = Holder()
    h.it = (x for x in range(4))
    a = slow(1)
    first = f'{list(h.it)}{a}'
    second = (lambda: list(h.it))()
    return (first, second)


# B07: B: a nested def reading h.it (h a closure variable) runs ahead
def prog_B07():
    h = Holder()
    h.it = (x for x in range(4))

    def g():
        return list(h.it)
    a = slow(1)
    first = f'{list(h.it)}{a}'
    second = g()
    return (first, second)


# B08: B: getattr(GG, 'it') on a module global holder
def prog_B08():
    global GG
    GG = Holder((x for x in range(3)))
    a = slow(1)
    first = f'{list(GG.it)}{a}'
    second = list(getattr(GG, 'it'))
    return (first, second)


# C01: C: an iterable whose __iter__ returns one shared iterator is treated as a container and read ahead
def prog_C01():
    s = Shared(4)
    a = slow(1)
    first = f'{list(s)}{a}'
    second = list(s)
    return (first, second)


# C02: C: an iterable whose iteration pops its items is read ahead
def prog_C02():
    h = Draining(3)
    a = slow(1)
    first = f'{list(h)}{a}'
    second = list(h)
    return (first, second)


# D01: D (new in 9dfa935): a pure_advancing step that runs ahead, consumes an unmarked iterator (getattr), then hits advancing() and is re-run in order: the unmarked iterator is consumed twice. No other statement touches h.it2.
def prog_D01():
    h = Holder(iter(range(4)))
    h.it2 = iter([7, 8])
    a = slow(1)
    b = f'{a}'
    second = (list(getattr(h, 'it2')), list(h.it))
    return (b, second)


# D02: D: same, the unmarked consumption is sorted(*[h.it2])
def prog_D02():
    h = Holder(iter(range(4)))
    h.it2 = iter([7, 8])
    a = slow(1)
    b = f'{a}'
    second = (sorted(*[h.it2]), list(h.it))
    return (b, second)


# D03: D: re-run advances a logging generator twice; the second run sees it exhausted (sum 0 instead of 1)
def prog_D03():
    LOG.clear()
    h = Holder(iter(range(4)))
    h.it2 = loggen(2)
    a = slow(1)
    first = f'{list(h.it)}{a}'
    second = (sum(getattr(h, 'it2')), list(h.it))
    return (first, second, list(LOG))


# -- E: elements computed ahead (a comprehension with a condition, ``sum(...)``,
# ``list(map(f, it))``) over an iterator whose advancing is seen. Plain Python
# never advances past the element that fails: the advancing code's effects, an
# error it raises later, and what a shared iterator still holds must match.

def fails_at_one(x):
    time.sleep(0.003)
    if x == 1:
        raise KeyError(x)
    return x * 2


def shown(x):
    print("shown", x)
    LOG.append(("shown", x))
    return True


def printgen(n):
    for i in range(n):
        print("gen", i)
        LOG.append(("gen", i))
        yield i


def failgen():
    yield 1
    raise ValueError("the iterator failed")


class Tree:
    """An iterable whose fresh generator prints as it advances."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        for i in range(self.n):
            print("tree", i)
            yield i


class Countdown:
    """An iterator class whose ``__next__`` prints."""

    def __init__(self, n):
        self.i, self.n = 0, n

    def __iter__(self):
        return self

    def __next__(self):
        if self.i >= self.n:
            raise StopIteration
        print("next", self.i)
        self.i += 1
        return self.i - 1


class PrintingIterable:
    """An iterable whose fresh iterator (a class of its own) prints as it advances."""

    def __iter__(self):
        return Countdown(4)


def _logged(result):
    logged = list(LOG)
    LOG.clear()
    return result, logged


# E01: the fuzzer's shape (seed 16161, 635): a filter whose predicate prints
def prog_E01():
    LOG.clear()
    return _logged([fails_at_one(x) for x in filter(shown, [0, 1, 2, 3]) if True])


# E02: a condition over a printing generator
def prog_E02():
    LOG.clear()
    return _logged([fails_at_one(x) for x in printgen(4) if x >= 0])


# E03: an eager consumer over a printing generator
def prog_E03():
    LOG.clear()
    return _logged(sum(fails_at_one(x) for x in printgen(4)))


# E04: list(map(f, gen)): the map stops at the failing call
def prog_E04():
    LOG.clear()
    return _logged(list(map(fails_at_one, printgen(4))))


# E05: a dict comprehension with a condition over a printing generator
def prog_E05():
    LOG.clear()
    return _logged({x: fails_at_one(x) for x in printgen(4) if x < 9})


# E06: an iterator that fails after the failing element: the element's error wins
def prog_E06():
    return [fails_at_one(x) for x in failgen() if x >= 0]


# E07: a shared iterator keeps what plain Python left in it
def prog_E07():
    it = iter(range(4))
    try:
        first = [fails_at_one(x) for x in it if x >= 0]
    except KeyError:
        first = None
    return first, list(it)


# E08: the same through map
def prog_E08():
    it = iter(range(4))
    try:
        first = list(map(fails_at_one, it))
    except KeyError:
        first = None
    return first, list(it)


# E09: an iterable whose own __iter__ generator prints, in a plain loop
def prog_E09():
    out = []
    for x in Tree(4):
        out.append(fails_at_one(x))
    return out


# E10: the same in a comprehension, with and without a condition
def prog_E10():
    return [fails_at_one(x) for x in Tree(4)], [fails_at_one(x) for x in Tree(4) if x]


# E11: an iterable whose fresh iterator's __next__ prints
def prog_E11():
    return [fails_at_one(x) for x in PrintingIterable()]


# E12: an element whose call is itself an effect, between the generator's prints
def prog_E12():
    LOG.clear()
    return _logged([shown(slow(x)) for x in printgen(3) if x >= 0])


# E13: a condition that fails stops the loop there too
def prog_E13():
    LOG.clear()
    return _logged([x for x in printgen(4) if fails_at_one(x)])


# E14: no failure: every element, in order, and the shared iterator is drained
def prog_E14():
    LOG.clear()
    it = printgen(4)
    return _logged(([slow(x) for x in it if x != 2], list(it)))


# -- F: a generator made by the loop's own call, not started, whose code has no
# effects: its elements start together, and what goes past plain Python's stop
# stays unseen.

def pure_gen(n):
    for i in range(n):
        yield i


def pure_failgen(n, at):
    for i in range(n):
        if i == at:
            raise ValueError(f"the generator failed at {i}")
        yield i


def endless():
    i = 0
    while True:
        yield i
        i += 1


def read_growing(d):
    i = 0
    while i in d:
        yield d[i]
        i += 1


def grow(d, x):
    time.sleep(0.002)
    if x < 3:
        d[x + 1] = x + 1
    return x


HELD_GENS: list = []


def shared_gen(n):
    return HELD_GENS[-1]


# F01: the element fails before the generator does: the element's error
def prog_F01():
    return sum(fails_at_one(x) for x in pure_failgen(4, 2))


# F02: the generator fails first: its error
def prog_F02():
    return [fails_at_one(x + 5) for x in pure_failgen(4, 2) if x >= 0]


# F03: an endless generator and a failing element: plain Python raises, no hang
def prog_F03():
    return sum(fails_at_one(x) for x in endless())


# F04: list(map(f, endless())) with f raising StopIteration ends the map there
def stop_at_three(x):
    time.sleep(0.002)
    if x == 3:
        raise StopIteration
    return x


def prog_F04():
    return list(map(stop_at_three, endless()))


# F05: elements that change what the generator reads next
def prog_F05():
    d = {0: 0}
    return [grow(d, x) for x in read_growing(d) if x >= 0], d


# F06: a generator the body holds is not fresh: what is left in it is plain Python's
def prog_F06():
    g = pure_gen(4)
    try:
        first = [fails_at_one(x) for x in g if x >= 0]
    except KeyError:
        first = None
    return first, list(g)


# F07: a call that hands back a generator someone else holds
def prog_F07():
    HELD_GENS.append(pure_gen(4))
    try:
        first = [fails_at_one(x) for x in shared_gen(0) if x >= 0]
    except KeyError:
        first = None
    return first, list(HELD_GENS[-1])


# F08: no failure: every element, in order
def prog_F08():
    return (sum(slow(x) for x in pure_gen(5)), [slow(x) for x in pure_gen(5) if x % 2],
            list(map(slow, pure_gen(3))), {x: slow(x) for x in pure_gen(3) if x})


# -- G: round L's findings. A: the parts of zip/enumerate/map made of iterators
# bound by a call; B: an object whose __iter__ hands out, drains or maps over what
# it holds; E: an iterable with no effects that raises partway.

def bad(x):
    time.sleep(0.005)
    if x == 1:
        raise ValueError(x)
    return x


def noisy(x):
    print("noisy", x)
    return x


class HandsOut:
    def __init__(self, xs):
        self.it = iter(xs)

    def __iter__(self):
        return self.it


class YieldsFrom:
    def __init__(self, xs):
        self.it = iter(xs)

    def __iter__(self):
        yield from self.it


class MapsOver:
    def __init__(self, xs, fn):
        self.xs, self.fn = xs, fn

    def __iter__(self):
        return map(self.fn, self.xs)


class Reverses:
    def __init__(self, xs):
        self.it = iter(xs)

    def __reversed__(self):
        return self.it


class Numbers:
    def __init__(self, raw):
        self.raw = raw

    def __iter__(self):
        return map(int, self.raw)


# G01: A: zip over an iterator a call made
def prog_G01():
    a = iter([0, 1, 2, 3])
    try:
        for x, y in zip(a, "abcd"):
            bad(x)
    except ValueError:
        pass
    return list(a)


# G02: A: map with two iterables
def prog_G02():
    a = iter([0, 1, 2, 3])
    try:
        return list(map(lambda x, y: bad(x), a, "abcd"))
    except ValueError:
        pass
    return list(a)


# G03: A: enumerate over a printing generator
def prog_G03():
    try:
        for i, x in enumerate(printgen(5)):
            bad(x)
    except ValueError:
        pass
    return "caught"


# G04: B: an __iter__ that returns the iterator its object holds
def prog_G04():
    b = HandsOut([0, 1, 2, 3])
    try:
        for x in b:
            bad(x)
    except ValueError:
        pass
    return list(b.it)


# G05: B: an __iter__ that yields from the iterator its object holds
def prog_G05():
    b = YieldsFrom([0, 1, 2, 3])
    try:
        first = [bad(x) for x in b]
    except ValueError:
        first = None
    return first, list(b.it)


# G06: B: an __iter__ that maps a printing function
def prog_G06():
    try:
        return [bad(x) for x in MapsOver([0, 1, 2, 3], noisy)]
    except ValueError:
        return "caught"


# G07: B: a __reversed__ that returns the iterator its object holds
def prog_G07():
    r = Reverses([0, 1, 2, 3])
    try:
        for x in reversed(r):
            bad(x)
    except ValueError:
        pass
    return list(r.it)


# G08: E: the element's error comes before the iterable's later one
def prog_G08():
    try:
        return sum(bad(x) for x in Numbers(["0", "1", "2", "x"]))
    except ValueError as error:
        return str(error)


# -- H: a generator the loop's own call made is closed as the loop is left (plain
# Python drops its last reference there): its finally runs before what follows.

def closing_gen(n):
    try:
        for i in range(n):
            yield i
    finally:
        print("closed")


def pure_closing_gen(n):
    try:
        for i in range(n):
            yield i
    finally:
        LOG.append("closed")


# H01: break
def prog_H01():
    for x in closing_gen(4):
        if slow(x) == 1:
            break
    print("after")


# H02: a failing call in the loop, caught after it
def prog_H02():
    try:
        for x in closing_gen(4):
            print("got", bad(x))
    except ValueError:
        print("caught")
    print("after")


# H03: return from inside the loop
def prog_H03():
    for x in closing_gen(4):
        if slow(x) == 2:
            return x
    return None


# H04: a comprehension whose element fails (the handler prints nothing: before 3.12
# Python closes the generator only once the exception is handled, desync as the
# loop is left)
def prog_H04():
    try:
        return [bad(x) for x in closing_gen(4) if x >= 0]
    except ValueError:
        pass
    print("after")
    return None


# H07: the same through sum(...)
def prog_H07():
    try:
        sum(bad(x) for x in closing_gen(4))
    except ValueError:
        pass
    print("after")


# H06: list(map(f, gen)) whose call fails: closed before the handler
def prog_H06():
    try:
        list(map(bad, closing_gen(4)))
    except ValueError:
        print("caught")
    print("after")


# H05: list(map(f, gen)) whose call fails, then code after it
def prog_H05():
    LOG.clear()
    try:
        list(map(bad, pure_closing_gen(4)))
    except ValueError:
        LOG.append("caught")
    return list(LOG)


# G09: round L, C: a StopIteration an element's call raises in a generator expression
# comes out as RuntimeError (PEP 479), the callee a nested def; one raised by a call
# outside it stays a StopIteration
def prog_G09():
    def stops_at_one(x):
        time.sleep(0.002)
        if x == 1:
            raise StopIteration
        return x
    out = []
    try:
        out.append(sum(stops_at_one(x) for x in range(3)))
    except RuntimeError as error:
        out.append(("RuntimeError", type(error.__cause__).__name__))
    try:
        out.append(stops_at_one(1))
    except StopIteration:
        out.append("StopIteration")
    out.append(sum(stops_at_one(x) for x in [0, 2]))
    return out


# G10: review: map's own StopIteration inside a generator expression's element ends
# the map quietly; it is not the generator's
def stops_at_two(x):
    if x == 2:
        raise StopIteration
    return x


def prog_G10():
    return sum(noisy(len(list(map(stops_at_two, r)))) for r in [[0, 1, 2, 3], [5]])


# G11: review: the first iterable is evaluated by the caller: its StopIteration
# stays one
def no_rows():
    raise StopIteration("no rows")


def prog_G11():
    try:
        return sum(noisy(len(list(map(abs, [x])))) for x in no_rows())
    except StopIteration as error:
        return "StopIteration", str(error)


# F09: review: a generator handed an iterator the body holds is not the loop's
# alone: what plain Python leaves in the iterator stays
def passthrough(it):
    for a in it:
        yield a


def prog_F09():
    it = iter(range(10))
    try:
        first = [fails_at_one(x) for x in passthrough(it) if x >= 0]
    except KeyError:
        first = None
    it2 = iter(range(10))
    try:
        second = sum(fails_at_one(x) for x in passthrough(it2))
    except KeyError:
        second = None
    return first, list(it), second, list(it2)


# -- I: round N. A generator runs ahead only over values no one can see it touch;
# iterators held deeper (in a dict, a global, a closure) count as held.

SOURCE = iter(())
REGISTRY: dict = {}


def from_source():
    for x in SOURCE:
        yield x


def calls_back(n, f):
    for i in range(n):
        f(i)
        yield i


def extends(n, out):
    for i in range(n):
        out += [i]
        yield i


def through_an_alias(n, out):
    (alias,) = (out,)
    for i in range(n):
        alias.append(i)
        yield i


def registers(n):
    table = REGISTRY
    for i in range(n):
        table[i] = i
        yield i


class HandsFromADict:
    def __init__(self, it):
        self.d = {"it": it}

    def __iter__(self):
        return self.d["it"]


class YieldsFromABox:
    def __init__(self, it):
        self.box = HandsOut([])
        self.box.it = it

    def __iter__(self):
        yield from self.box.it


def closing_over(it):
    class Iterable:
        def __iter__(self):
            return it
    return Iterable()


class Boom(BaseException):
    pass


def booms_at_three(n):
    for i in range(n):
        if i == 3:
            raise Boom("boom")
        yield i


def _rest_after(make):
    it = iter(range(10))
    try:
        first = [bad(x) for x in make(it) if x >= 0]
    except ValueError:
        first = None
    return first, list(it)


# I01: a module-level iterator the generator advances
def prog_I01():
    global SOURCE
    SOURCE = iter(range(10))
    try:
        first = [bad(x) for x in from_source() if x >= 0]
    except ValueError:
        first = None
    return first, list(SOURCE)


# I02: a callback that prints, a list extended with +=, one changed through an alias
def prog_I02():
    out, seen = [], []
    for make in (lambda: calls_back(5, print), lambda: extends(5, out),
                 lambda: through_an_alias(5, out), lambda: registers(5)):
        REGISTRY.clear()
        try:
            seen.append([bad(x) for x in make() if x >= 0])
        except ValueError:
            seen.append(None)
    return seen, out, REGISTRY


# I03: iterators held in a dict, a box, a closure
def prog_I03():
    return (_rest_after(HandsFromADict), _rest_after(YieldsFromABox),
            _rest_after(closing_over))


# I04: a BaseException the generator raises after the failing element
def prog_I04():
    try:
        return [bad(x) for x in booms_at_three(5) if x >= 0]
    except ValueError:
        return "value"
    except Boom:
        return "boom"


# -- J: round 11. A generator that changes what it handed out (a sliding window, a
# reused buffer, the previous row it links) runs no further than plain Python while
# calls given those values have not run.
def sliding(n, size=3):
    window = collections.deque(maxlen=size)
    for i in range(n):
        window.append(i)
        yield window


def refilled(n):
    buffer = []
    for i in range(n):
        buffer.append(i)
        yield buffer


def paired_with_a_window(n):
    window = []
    for i in range(n):
        window.append(i)
        yield i, window


def linked(n):
    previous = None
    for i in range(n):
        row = {"id": i}
        if previous is not None:
            previous["next"] = i
        yield row
        previous = row


def fresh_rows(n):
    for i in range(n):
        row = {"id": i}
        yield row


def measured(w):
    time.sleep(0.002)
    return repr(w)


# J01: comprehensions, sum, map and for over each shape
def prog_J01():
    return ([measured(w) for w in sliding(12)],
            [measured(w) for w in refilled(8) if len(w) > 2],
            sum(len(measured(w)) for w in paired_with_a_window(8)),
            list(map(measured, linked(8))),
            [measured(w) for w in fresh_rows(8)])


# J02: a for statement over them
def prog_J02():
    out = []
    for w in sliding(10):
        out.append(measured(w))
    for w in linked(6):
        out.append(measured(w))
    return out


# -- K: round 11. A for statement over a generator its own call made steps ahead of
# the body's calls; plain Python's order of errors, effects and state stays.
def interrupted_at(n, at):
    for i in range(n):
        if i == at:
            raise KeyboardInterrupt
        yield i


def checks_its_row(n):
    row = {"stop": False}
    for i in range(n):
        if row["stop"]:
            return
        row["i"] = i
        yield row


SCALE = 1


def scaled(n):
    for i in range(n):
        yield helper_of_scaled(i)


def helper_of_scaled(i):
    return i * SCALE


def stop_at_two(x):
    time.sleep(0.003)
    if x == 2:
        raise StopIteration("from a call")
    return x


# K01: the generator's error comes after what the iterations before it printed and
# raised; an earlier iteration's failure wins
def prog_K01():
    seen = []
    for x in raisegen(5, at=3):
        print("got", x)
        seen.append(slow(x))
    return seen


def prog_K02():
    seen = []
    try:
        for x in raisegen(5, at=3):
            seen.append(bad(x))
    except ValueError as error:
        return "caught", str(error), seen
    return seen


# K03: an interrupt the generator raises comes after the prints before it
def prog_K03():
    try:
        for x in interrupted_at(5, 2):
            print("at", slow(x))
    except KeyboardInterrupt:
        return "interrupted"


# K04: the body changes the row the generator hands out and reads again
def prog_K04():
    out = []
    for row in checks_its_row(6):
        out.append(slow(row["i"]))
        if row["i"] == 2:
            row["stop"] = True
    return out


# K05: the body rebinds a global the generator's helper reads (global: in order)
def prog_K05():
    global SCALE
    SCALE = 1
    out = []
    for x in scaled(4):
        out.append(slow(x))
        SCALE = 10
    SCALE = 1
    return out


# K06: a closure generator whose variable the body rebinds
def prog_K06():
    step = 1
    def counting(n):
        for i in range(n):
            yield i * step
    out = []
    for x in counting(4):
        out.append(slow(x))
        step = 5
    return out


# K07: a call's StopIteration, raised in order, is not the loop's end; break and
# else keep their meaning
def prog_K07():
    out = []
    try:
        for x in raisegen(6, at=9):
            out.append(stop_at_two(x))
    except StopIteration as error:
        out.append(("stopped", str(error)))
    for x in raisegen(6, at=9):
        if slow(x) == 4:
            break
        out.append(x)
    else:
        out.append("no break")
    return out


# K08: numbered by enumerate: the same rules
def prog_K08():
    out = []
    for i, w in enumerate(sliding(6), start=1):
        out.append((i, measured(w)))
    try:
        for i, x in enumerate(raisegen(5, at=3)):
            print("got", i, slow(x))
    except ValueError as error:
        out.append(str(error))
    return out


# K09: round 11 (second tester): an interrupt a generator raises while computed ahead
# comes after an earlier element's failure
def fail_at_1(x):
    time.sleep(0.01)
    if x == 1:
        raise ValueError("one")
    return x


def prog_K09():
    outcomes = []
    try:
        outcomes.append([fail_at_1(x) for x in interrupted_at(5, 3)])
    except ValueError as error:
        outcomes.append(("value", str(error)))
    except KeyboardInterrupt:   # (what desync gave before: caught, to compare)
        outcomes.append("interrupted")
    try:
        outcomes.append(sum(fail_at_1(x) for x in interrupted_at(5, 3)))
    except ValueError as error:
        outcomes.append(("value", str(error)))
    except KeyboardInterrupt:   # (what desync gave before: caught, to compare)
        outcomes.append("interrupted")
    try:
        outcomes.append(list(map(fail_at_1, interrupted_at(5, 3))))
    except ValueError as error:
        outcomes.append(("value", str(error)))
    except KeyboardInterrupt:   # (what desync gave before: caught, to compare)
        outcomes.append("interrupted")
    try:
        outcomes.append([slow(x) for x in interrupted_at(5, 2)])
    except KeyboardInterrupt:
        outcomes.append("interrupted")
    return outcomes


# -- L: round 11 (second tester and the review): what a generator still reaches is
# followed through containers, objects and the iterators it keeps; a generator whose
# helpers read module data, or that reads a value a call rebinds, takes no step ahead.
class Holder:
    pass


def two_deep(n):
    hold = [[None]]
    for i in range(n):
        hold[0][0] = {"i": i, "v": 0}
        yield hold[0][0]
        hold[0][0]["v"] = 99


def on_an_object(n):
    box = Holder()
    box.current = []
    for i in range(n):
        box.current.append(i)
        yield box.current


def forty_rows(n):
    rows = [{"v": 0} for _ in range(40)]
    for i in range(n):
        yield rows[39 - i]
        rows[39 - i]["v"] = 1


def counting_row(n):
    row = {"v": 0}
    for i in range(n):
        row["v"] = i
        yield row


def passes_on(n):
    inner = counting_row(n)
    for row in inner:
        yield row


def in_groups(n):
    for _, group in itertools.groupby(range(n), key=lambda i: i // 2):
        yield group


def growing_keys(n):
    seen = {}
    for i in range(n):
        seen[i] = i
        yield seen.keys()


def stored_then_loaded(n):
    buffer = []
    for i in range(n):
        j = i * 10; buffer.append(j)   # (one line: 3.13 fuses the store and the load)
        yield buffer


TABLE = [0, 0, 0, 0]


def looked_up(i):
    return TABLE[i]


def through_a_helper(n):
    for i in range(n):
        yield i, looked_up(i)


def put_next(i):
    time.sleep(0.003)
    if i + 1 < len(TABLE):
        TABLE[i + 1] = 5
    return i


LIMIT = 6


def up_to_the_limit(n):
    i = 0
    while i < n and i < LIMIT:
        yield i
        i += 1


def limiter(i):
    global LIMIT
    time.sleep(0.005)
    if i == 1:
        LIMIT = 3
    return i


def listed(w):
    time.sleep(0.002)
    return repr(list(w)) if not isinstance(w, dict) else repr(w)


def prog_L01():
    return ([listed(r) for r in two_deep(4)], [listed(w) for w in on_an_object(4)],
            list(map(listed, forty_rows(4))), sum(len(listed(r)) for r in passes_on(4)),
            [listed(w) for w in stored_then_loaded(4)])


def prog_L02():
    out = []
    for r in two_deep(3):
        out.append(listed(r))
    for w in on_an_object(3):
        out.append(listed(w))
    for r in passes_on(3):
        out.append(listed(r))
    for g in in_groups(6):
        out.append(listed(g))
    for k in growing_keys(3):
        out.append(listed(k))
    for w in stored_then_loaded(3):
        out.append(listed(w))
    return out


def prog_L03():
    TABLE[:] = [0, 0, 0, 0]
    out = []
    for i, value in through_a_helper(4):
        out.append((put_next(i), value))
    TABLE[:] = [0, 0, 0, 0]
    return out


def prog_L04():
    global LIMIT
    LIMIT = 6
    first = [limiter(i) for i in up_to_the_limit(6)]
    LIMIT = 6
    second = []
    for i in up_to_the_limit(6):
        second.append(limiter(i))
    LIMIT = 6
    return first, second


# K10: (the shape of fuzzer seed 34343, program 534, in a try) what came before a
# comprehension whose own generator is interrupted at its first step happens first
def prog_K10():
    print("before", [slow(i) for i in range(2)])
    try:
        return [x for x in interrupted_at(3, 0)]
    except KeyboardInterrupt:
        return "interrupted"
