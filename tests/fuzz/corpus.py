"""Hand-written programs run like generated ones (every failure plan, every mode).

The shapes the execution-model issues name, in the prelude's vocabulary, so the
fuzzer checks each of them with a failure injected at every call input. Each
entry: (name, body source, arguments, method?).
"""
from __future__ import annotations

import ast
import textwrap

from .gen import _module_state

PROGRAMS = [
    ("count after a failure", """
        count = 0
        try:
            for i in range(5):
                f(i)
                count += 1
        except ValueError:
            pass
        return count
    """, (0, 0, [], "", {})),
    ("appends after a failing call", """
        out = []
        for i in range(4):
            out.append(g(i, n))
            xs.append(f(i))
        return out
    """, (1, 0, [9], "", {})),
    ("lambdas capture the loop variable", """
        out = []
        fns = []
        for i in range(4):
            out.append(apply0(lambda: i))
            fns.append(lambda i=i: i)
        return out, [h() for h in fns]
    """, (0, 0, [], "", {})),
    ("sort key reads a dict filled by a loop", """
        scores = {}
        for k in ["b", "a", "c"]:
            scores[k] = f(len(scores) + n)
        return sorted(scores, key=lambda k: scores[k])
    """, (2, 0, [], "", {})),
    ("setdefault result is the dict's list", """
        groups = {}
        for i in range(4):
            groups.setdefault("k", []).append(f(i))
        return groups
    """, (0, 0, [], "", {})),
    ("row appended into table, then mutated", """
        table = []
        row = []
        table.append(row)
        row.append(f(1))
        return str(table)
    """, (0, 0, [], "", {})),
    ("multi-target aliases", """
        a = b = []
        a.append(f(1))
        b.append(2)
        return a
    """, (0, 0, [], "", {})),
    ("class attribute appended in a loop", """
        for i in range(4):
            K{sfx}.items.append(f(i))
        return list(K{sfx}.items)
    """, (0, 0, [], "", {})),
    ("with and finally around failing calls", """
        print("before")
        with Rec("a"):
            x = f(n)
            print(x)
        try:
            g(x)
        except KeyError:
            y = f(1)
        else:
            y = f(2)
        finally:
            print("finally")
        return y
    """, (3, 0, [], "", {})),
    ("comprehension variable reused as a loop variable", """
        squares = [f(i * i) for i in range(3)]
        for i in range(3):
            squares.append(i)
        ys = [x * 2 for x in xs]
        for x in xs:
            pass
        return squares, ys, x
    """, (0, 0, [1, 2], "", {})),
    ("a loop that appends to what it iterates", """
        for x in xs:
            if x < 5:
                xs.append(f(x) % 3 + x + 1)
        return xs
    """, (0, 0, [1, 2], "", {})),
    ("nonlocal write through a nested function", """
        x = 0
        def set_x(v):
            nonlocal x
            x = v
        set_x(f(5))
        return x
    """, (0, 0, [], "", {})),
    ("print to a buffer, print a list then clear it", """
        buf = io.StringIO()
        print(label(n), file=buf)
        acc = [1]
        x = f(0)
        print(x, acc)
        acc.clear()
        return buf.getvalue()
    """, (4, 0, [], "", {})),
    ("match on a value pattern of an object from a call", """
        cf = cfg(n)
        match cf.mode:
            case cf.FAST:
                r = 1
            case _:
                r = 2
        return r
    """, (3, 0, [], "", {})),
    ("logging, stdout writes and print interleave; random after seed", """
        LOG.info("a %s", f(1))
        sys.stdout.write("b\\n")
        print("c", g(2, 3))
        LOG.warning("d")
        random.seed(f(1))
        return random.random()
    """, (0, 0, [], "", {})),
    ("a raise that plain Python never reaches", """
        f(n)
        raise KeyError("never reached")
    """, (2, 0, [], "", {})),
    ("unpacking into attributes and items", """
        box = Box()
        box.n, d["a"] = pair(f(n))
        return box.n, d
    """, (5, 0, [], "", {})),
    ("for over a StringIO that the body reads too", """
        fh = io.StringIO("a\\nb\\nc\\nd\\n")
        out = []
        for line in fh:
            out.append(line + fh.readline() + label(len(out)))
        return out
    """, (0, 0, [], "", {})),
    ("a caught failure does not poison later work", """
        a, b, c = n, m, 0
        ys = []
        a = f(f(b))
        try:
            ys.append(g(a, 1))
        except (ValueError, KeyError):
            b = -1
        print(a, a)
        return a, b, c, ys
    """, (0, 12, [], "", {})),
    ("super() in a method body", """
        super().fill(f(n))
        self.log.append(g(n, 1))
        return self.v, self.get()
    """, (2, 0, [], "", {}), True),
    ("exceptions inside handlers, raise from, finally with return", """
        try:
            try:
                a = f(n)
            except ValueError as e:
                raise FzError(str(e)) from e
            finally:
                xs.append(g(n, 2))
        except FzError:
            b = f(m)
            raise
        finally:
            if m > 5:
                return xs
        return a
    """, (1, 7, [], "", {})),
    ("closure variable rebound while a callee runs the lambda", """
        a = 1
        r = apply(lambda v: v + a, f(n))
        a = g(r, 2)
        return r, a
    """, (1, 0, [], "", {})),
    # -- found by the fuzzer (each one minimised from a generated program)
    ("fuzz: a mutation after a failed call in the statement before", """
        d[label(n)] = 0
        xs.pop()
        return xs
    """, (5, 0, [2], "", {})),
    ("fuzz: a with entered after a failed call", """
        g(n)
        with Rec("w"):
            xs.append(1)
    """, (9, 0, [], "", {})),
    ("fuzz: print then sys.stdout.write", """
        print(mk(n))
        sys.stdout.write("a")
    """, (0, 0, [], "", {})),
    ("fuzz: a rebinding after a failed call, seen by finally", """
        try:
            g(m, m)
            m = n
        finally:
            return m
    """, (0, 8, [], "", {})),
    ("fuzz: return in finally swallows what else raised", """
        try:
            pass
        except KeyError:
            pass
        else:
            f(n)
        finally:
            return "swallowed"
    """, (0, 0, [], "", {})),
    ("fuzz: a = b = [] then a call reads b", """
        out = ys = []
        out.append(f(m))
        return total(ys)
    """, (0, 3, [], "", {})),
    ("fuzz: augmented assignment reads its target first", """
        xs[-1] += xs.pop()
        return xs
    """, (0, 0, [3, 4], "", {})),
    ("fuzz: an effect left of a failing call in one tuple", """
        a, c = (xs.pop() if xs else 0), total([])
        return a, c
    """, (0, 0, [3, 4], "", {})),
    ("fuzz: a generator reads its variables when consumed", """
        gen = (f(m) for x in xs)
        m = 10
        return list(gen)
    """, (0, 1, [0], "", {})),
    ("fuzz: the argument of raise reads after an earlier pop", """
        xs.pop() if xs else 0
        raise ValueError(sorted(xs))
    """, (0, 0, [2], "", {})),
    ("fuzz: a generator consumed by join, then a pop", """
        sys.stdout.write("".join(str(summ(*xs)) for x in [1, 2]))
        xs.pop()
    """, (0, 0, [5], "", {})),
    ("fuzz: the error of a method call on an object", """
        K{sfx}.items.append(n)
        if K{sfx}.items:
            acc = []
            acc.pop()
    """, (0, 0, [], "", {})),
    ("fuzz: a rebinding inside a with that suppresses", """
        with contextlib.suppress(ValueError):
            scale(m)
            s += "never"
        s += "a"
        return s
    """, (0, 7, [], "x", {})),
    ("fuzz: clock readings around a call", """
        t0 = time.perf_counter()
        nap(n)
        return time.perf_counter() - t0 >= 0.002
    """, (0, 0, [], "", {})),
    ("fuzz: super() in the iterable of a comprehension", """
        zs = [v for v in range(super().get() % 4 + 2)]
        return zs
    """, (0, 0, [], "", {}), True),
    ("fuzz: a nested desync function", """
        return q{sfx}(n) + q{sfx}(m)
    """, (1, 2, [], "", {}), False,
     "@desync(cache=False, executor=EXECUTOR)\ndef q{sfx}(a):\n    return f(a) + g(a)\n"),
    ("fuzz: finally raises while the body's KeyboardInterrupt propagates", """
        try:
            pass
        except Exception:
            pass
        else:
            label(n)
        finally:
            raise ValueError(0)
    """, (9, 0, [], "", {})),
    ("fuzz: a lazy map and an effect before it is consumed", """
        gen = map(f, [m])
        xs.append(total(xs))
        return list(gen)
    """, (0, 3, [], "", {})),
    ("fuzz: a subscript that raises after a call in one f-string", """
        return f"{sorted(xs, key=f)!r}:{label(d['zz'])}"
    """, (0, 0, [1, 3], "", {})),
    ("fuzz: the first failure in program order wins", """
        for j in [0]:
            [a, r] = mk(apply(lambda v: total(xs), 0))
            xs.insert(0, 0)
        zs = []
        return f"{apply0(lambda: zs[1])}"
    """, (0, 0, [], "", {})),
    # Found by the fuzzer (seed 23 and 11), kept here so each keeps running with a
    # failure at every call input.
    ("in-place += on a list a generator shares", """
        out = head(xs)
        xs += [0]
        it = (xs for v in range(0))
        fns = []
        fns.append(lambda: out)
        return [cb() for cb in fns], xs
    """, (0, 0, [], "", {})),
    ("a method that changes self through super()", """
        r, b = pair(apply(lambda x: max(xs), m) + f(m))
        self.fill(0)
        return r, self.get()
    """, (0, 4, [2, 4, 2], "", {}), True),
    ("+= in a finally on a name a call bound", """
        c, u1 = pair(m)
        try:
            pass
        finally:
            c += 1
        return c
    """, (0, 0, [], "", {})),
    ("-= inside with inside a try in a loop", """
        for j, x in zip(list(xs), xs):
            try:
                x -= f(n)
                xs.append(x)
            except ValueError:
                pass
        return xs
    """, (0, 0, [3, 4], "", {})),
    ("an item read before the call on the right changes its list", """
        xs.append(xs[-1] - xs.pop())
        xs[-1] += xs.pop()
        return xs
    """, (0, 0, [5, 4, 7, 1], "", {})),
    ("item += a call, on an empty list", """
        xs[0] += xs.pop()
        return xs
    """, (0, 0, [], "", {})),
    ("a truth test of a list a lambda shares, after a pop", """
        lambda x: (v for v in map(f, xs))
        a = xs.pop() if xs else 0
        b = apply(f, xs.pop() if xs else 0)
        return a, b, xs
    """, (0, 0, [0], "", {})),
    ("a call ahead through a module attribute in a try in a loop", """
        out = []
        for j, v in zip('kl', mk(m)):
            try:
                out.append(random.random() < 2)
            except ArithmeticError as e1:
                pass
        return out
    """, (0, 0, [], "", {})),
    ("counts[k] += a call, on a dict that grows", """
        counts = {}
        for x in xs:
            counts[x % 2] = counts.get(x % 2, 0)
            counts[x % 2] += f(x)
        return counts, len(counts)
    """, (0, 0, [1, 2, 3], "", {})),
    # Found by the fuzzer (seed 20261126): a try run as one step in a loop rebinds a
    # name it also reads; the next iteration must see the new value.
    ("a try in a loop rebinds a name it reads", """
        k = 0
        while k < 2:
            k += 1
            try:
                n *= head(xs)
                K{sfx}.count += g(k, n)
            except ZeroDivisionError:
                pass
        return n, K{sfx}.count
    """, (2, 0, [2], "", {})),
    # Found by the fuzzer (seed 20261126): ``a = b = make()`` names one object; a
    # write through one name orders with reads through the other.
    # Found by CPython's textwrap tests: ``a and b() and c`` dropped its third operand.
    ("a condition of three operands with a call in the middle", """
        out = []
        if xs and head(xs) > 0 and len(xs) > 5:
            out.append(f(1))
        if not xs or g(n) > 100 or d:
            out.append(f(2))
        return out, xs and f(3) and s
    """, (0, 0, [1, 2], "", {})),
    # Found by CPython's difflib tests: ``self.__name`` became getattr(self, "__name"),
    # which Python does not mangle.
    ("private attributes of a method's object", """
        self.__tally = f(n)
        self.__tally += g(1)
        items = [self.__tally]
        items.append(f(self.__tally))
        return items, getattr(self, "_P{sfx}__tally")
    """, (1, 0, [], "", {}), True),
    # Found by the fuzzer (seed 990017): a try in a loop run as one step moved
    # zero-argument super() out of the method.
    ("super() in a try in a loop", """
        k = 0
        while k < 2:
            k += 1
            try:
                super().fill(n + k)
            except ZeroDivisionError:
                pass
        return self.v
    """, (1, 0, [], "", {}), True),
    # Found by the fuzzer (seed 990017): an iterator a call made, consumed by a
    # call-free expression and again later.
    ("an iterator consumed twice", """
        it = map(f, xs)
        k = 0
        while k < 2:
            k += 1
            acc = sorted(it)
        return acc, list(it)
    """, (0, 0, [1, 2, 3], "", {})),
    # Found by the fuzzer (seed 5150): a variable a closure rebinds, read in an
    # expression or a call's arguments before the call that rebinds it.
    ("a variable read before a later call rebinds it", """
        def bump(v):
            nonlocal m
            m += 8
            return f(v)
        pair = (m, bump(n))
        print(m, bump(1))
        return pair, m
    """, (0, 0, [], "", {})),
    # Found by the fuzzer (seed 9191): ``G += gset(n)`` read G after the call rebinding it.
    ("an augmented assignment reads its name before the call on the right", """
        def reset(v):
            nonlocal m
            m = v
            return f(v)
        m += reset(n)
        m += g(m, reset(m))
        return m
    """, (0, 0, [], "", {})),
    # Found by the fuzzer (seed 31337): ``{**d, k: d.pop(k)}`` unpacked d after the pop;
    # a lambda's default in a finally clause (run as written) got a pending value.
    ("a dict unpacked before a later part changes it", """
        k = 0
        while k < 1 and xs:
            k += 1
            print(0, {**d, 'b': d.pop('k')})
        return d
    """, (0, 0, [4], "", {'k': 0, 'b': 3})),
    ("a lambda default in a finally clause", """
        xs.insert(0, f(0))
        m, n = (n, m)
        try:
            pass
        finally:
            apply(lambda v, n=n: n, 'b')
        return (m, xs)
    """, (0, 0, [], "", {})),
    # Found by the fuzzer (seed 31337): a comprehension's condition on a variable read
    # before a pending deletion; slices stored and deleted through helpers.
    ("a comprehension condition after a pending change; slices", """
        bx = Box(n)
        del xs[:1]
        d['b'], K{sfx}.count = divmod(len([w for w in [m] if xs]), 3)
        xs[0:1] = [f(1)]
        return xs
    """, (0, 0, [3, 4], "", {})),
    ("a lookup Python evaluates before a call fails first", """
        try:
            n, m = (m, n)
            g({}['k'], y=f(n))
        except (ValueError, KeyError):
            f(n)
        try:
            return ([1][m], f(m))
        except (IndexError, FzError):
            return n
    """, (0, 4, [], "", {})),
    ("a handler reads a name only in a comprehension condition", """
        c = 1
        try:
            for x in xs:
                c = g(sum(xs), x)
        except (KeyError, FzError):
            d['k'] = [v for v in range(3) if v <= c for w in range(2)]
        return c
    """, (0, 0, [4, 2], "", {})),
    ("a try run as one step appends to a list a lambda captures", """
        it = lambda w: [v for v in xs]
        b = apply0(lambda: m)
        for x in ([7, b] + [m])[:8]:
            b = total(xs)
            try:
                pass
            finally:
                if len(xs) < 9:
                    xs.append(apply(f, 0))
        return b, it(0)
    """, (0, 0, [], "", {})),
    # Found by the fuzzer (seeds 1212, 6061): any() over a lazy iterator ran it to its
    # end; a method changing what its object's attribute holds did not order readers.
    ("any() over an iterator stops where Python stops", """
        found = any(i for i in map(f, xs))
        it = iter(xs)
        first = any(g(x) > 40 for x in it)
        return found, first, list(it)
    """, (0, 0, [6, 5, 2], "", {})),
    ("a method changes a list its object's attribute holds", """
        bx = Box(0)
        ys = acc = []
        bx.items = acc
        readers = [lambda: summ(*acc)]
        for v in xs:
            bx.add(g(v, m))
            n = len(acc)
        return n, [r() for r in readers], ys
    """, (0, 7, [3, 1], "", {})),
    # Found by the fuzzer (seed 7373): a try run as one step did not hand out a name
    # only a lambda's default read after it.
    ("a lambda default reads what a try in a loop bound", """
        for i, j in zip([0, 1], xs):
            try:
                [t, b] = mk(n + j)
            except ArithmeticError as e1:
                pass
            EV{sfx}.append(('c', apply(lambda x, b=b: scale(b, by=3), total([]))))
        return t
    """, (0, 0, [2, 3], "", {})),
    # Found by the fuzzer (seed 9292): a comprehension run as written (it makes
    # functions) changed xs, but later reads of xs did not wait for it.
    ("a comprehension run as written changes what later steps read", """
        r = total(xs)
        tp = xs.pop()
        seen = {v: lambda w, m=m: 0 for v in range(xs.pop())}
        g(xs[0], y=summ(*xs))
        xs.append(0)
        return xs, sorted(seen)
    """, (0, 0, [4, 6, 5], "", {})),
    # Found by the fuzzer (seed 1357; the non-reproducing find of the session
    # before): LOG, an imported name, called in a try in a loop through a logger
    # looked up ahead: the record named desync's function instead of the body.
    ("a log call in a try in a loop names the body", """
        out = []
        for x in range(3):
            try:
                LOG.info('%s|%s', '', out[-1] if out else -1)
                out.append(f(x))
            except ArithmeticError:
                raise
        return out
    """, (0, 0, [], "", {})),
    # Found by the fuzzer (seed 2468): any() of a list took its truth before a pending
    # pop; a comprehension with super() that runs as written was moved into a lambda.
    ("any() of a list the body changes", """
        buf = io.StringIO()
        b = g(*pair(xs.pop()))
        K{sfx}.count = any((xs for w in range(1)))
        return b, all(xs for w in range(2))
    """, (0, 0, [1], "", {})),
    # Found by the fuzzer (seed 2718): ``if REG:`` tested the module list before the
    # pending append to it.
    ("an if on a module object after a pending change to it", """
        REG{sfx}.append([g(*(0,)) for v in range(m)])
        if REG{sfx}:
            m *= n
        while not REG{sfx}:
            m += 1
        return m
    """, (0, 9, [], "", {})),
    # Found by the fuzzer (seed 1414, pacing on): random.shuffle was not known to
    # change its list, so xs[-1] was read before the shuffle.
    ("random.shuffle changes its list", """
        r, u1 = pair(xs[0])
        random.shuffle(xs)
        cf = cfg(xs[-1])
        return r, xs[-1], list(xs)
    """, (0, 0, [1, 4, 1], "", {})),
    # Found by the fuzzer (seed 8484, pacing on): a generator in a closure variable,
    # consumed by an f-string waiting on a call, then by a generator's first iterable
    # on the owner thread: the second ran first and the log showed an empty list.
    ("a generator consumed twice, the first time behind a call", """
        it = (w for w in [m, n, m + n])
        out = f"{list(it)!r}:{label(m)!r}"
        r = max((len(out) + w for w in list(it)), default=-1)
        return out, r
    """, (1, 2, [], "", {})),
    # Found this session: a printing key waited for nothing and ran first; a shuffle
    # behind a pending call was not a change for the compiler (seed 20250101 #506).
    ("a key that prints, after a sort that waits", """
        first = sorted([f(n), m, 2], key=shown)
        second = sorted(xs, key=lambda v: shown(v))
        return first, second
    """, (1, 2, [5, 3], "", {})),
    ("a shuffle behind a pending call, then a read inside a call", """
        f(total(xs))
        random.shuffle(xs)
        r = f(total(xs[1:]))
        lazily = (v for v in xs if v)
        return r, sorted(lazily)
    """, (0, 0, [3, 6, 0], "", {})),
    # Found by a person this session: a callee whose own helper reads a global the
    # body changes ran before the change (only the callee's own code was looked at).
    ("a global read by the callee's own helper", """
        global G{sfx}
        G{sfx} = f(n)
        a = via{sfx}(m)
        REG{sfx}.append(g(m))
        b = [via{sfx}(v) for v in xs]
        G{sfx} += 1
        return a, b, via{sfx}(0)
    """, (2, 3, [1, 4], "", {})),
    # Found by a person this session: a callee whose helper reads a threading.local
    # the body set ran on a worker thread, where the local is empty.
    ("a thread-local the body sets, read by a callee's helper", """
        TL{sfx}.v = f(n)
        a = tlv{sfx}(m)
        b = [tlv{sfx}(v) for v in xs]
        TL{sfx}.v = g(m) + 1
        return a, b, tlv{sfx}(0)
    """, (2, 3, [1, 4], "", {})),
    ("an environment variable the body sets, read by a callee", """
        os.environ[ENVK{sfx}] = str(f(n))
        a = envv{sfx}(m)
        b = [envv{sfx}(v) for v in xs]
        del os.environ[ENVK{sfx}]
        return a, b, envv{sfx}(0)
    """, (1, 2, [3, 4], "", {})),
    ("chained assignment names one object", """
        bx = box = Box(7)
        bx.items = xs
        box.items.append(box.total())
        xs.reverse()
        return summ(*xs)
    """, (0, 0, [5, 2, 1], "", {})),
    ("a lambda recording into the caller's list, after a failing call", """
        s += up(label(2))
        tp = apply(lambda v: xs.append(v) or v, n)
        return tp
    """, (0, 0, [], "", {})),
    ("a list of printing functions built by a step, after a failing call", """
        xs.append(apply(lambda v: 0, 2))
        g(g(m, y=apply(lambda x: len(xs), 0)), apply_each([lambda v: shown(v)], xs))
    """, (0, 0, [0], "", {}), True),
    ("a recording lambda in a list still being built, then a read of the list", """
        groups = {'k': xs}
        LOG.warning('%s|%s', 0, head([]))
        w = f'{mk(m)} {apply_each([lambda v: xs.append(v) or v], 0)}:{K{sfx}.items}'
        xs.extend(mk(sum((7 for i in xs))))
        return groups
    """, (0, 7, [], "", {})),
    ("a nested def rebinding a global inside an f-string, then a read of it", """
        def gset(v):
            global G{sfx}
            G{sfx} = (G{sfx} + (f(n) - len(d))) % 97
            return G{sfx}
        LOG.error(f'{gset(g(n, m))}')
        xs.append(g(G{sfx}, sum(xs)))
        return xs
    """, (3, 8, [0, 4, 4, 1], "x", {'a': 5, 'b': 5})),
    ("handed over in a dict, a class and an object with __call__", """
        out = [apply_each({"a": shown, "b": f}, n), make_with(Shouter, m)]
        out.append(make_with(Caller(), n + 1))
        return out
    """, (1, 2, [], "", {})),
    ("a handed-over lambda over a variable still being written", """
        K{sfx}.count += n
        *zs, b = mk(K{sfx}.count)
        apply_each((lambda v: zs.append(v) or v,), b)
        out = [apply_each([lambda v: zs.append(v) or 0], f(b))]
        return head(zs), out, zs
    """, (3, 0, [], "", {})),
    # (found by the CI seed: a comprehension that runs as written, in a lambda; its
    # outermost iterable is evaluated in the body's frame)
    ("a helper that looks at its caller, in a comprehension's outermost iterable", """
        return len([apply_each([lambda v: n], 9) for v in range(note(m) % 4) if 9 not in []])
    """, (1, 3, [], "", {})),
    # (found by the CI seed: a step ahead in a try body, in another's arguments)
    ("a helper that looks at its caller, in another call's arguments in a try", """
        out = []
        for v in [0, 1]:
            try:
                out.append(make_with(Caller(), who(m + v)))
            except AttributeError:
                pass
        return out
    """, (0, 2, [], "", {})),
    ("helpers that look at their caller", """
        a = f(n)
        who = whoami(a)
        note(a)
        out = []
        for i in range(m):
            out.append(whoami(f(i)))
            out.append(note(f(i)))
        return who, out
    """, (1, 2, [], "", {})),
    # Python unpacks a * operand (not the only positional one) and merges a ** operand
    # before it evaluates the arguments after it: their errors come first.
    ("unpacked arguments fail before the arguments after them", """
        out = []
        with Rec('w1', suppress=True):
            out.append(summ(m, *n, f(n)))
        with Rec('w2', suppress=True):
            out.append(g(**kws(n), x=f(m)))
        with Rec('w3', suppress=True):
            out.append(summ(m, *seq(n), f(n), *seq(m)))
        with Rec('w4', suppress=True):
            out.append(g(**kws(m + 2), x=f(n)))
        return out
    """, (8, 3, [], "", {})),
    # Unpacking calls iter() once and then next(): an iterator whose __iter__ is its own
    # code (here it prints) is asked once, or twice with a starred target.
    ("unpacking asks an iterator for itself as Python does", """
        a, b = Tally(mk(n))
        *ys, r = Tally(mk(m))
        c, *zs = Tally(mk(a))
        return a, b, ys, r, c, zs
    """, (3, 4, [], "", {})),
    # A local bound on one path only is read before the call after it in its statement:
    # its UnboundLocalError comes before that call's error.
    ("a local that may be unbound, read before a call", """
        if n % 2 == 1:
            ub = f(n)
        try:
            a = g(ub, f(m))
        except UnboundLocalError:
            a = -1
        try:
            b = ub + note(m)
        except UnboundLocalError:
            b = -2
        return a, b
    """, (2, 3, [], "", {})),
    # Python looks a method up before it evaluates the call's arguments.
    ("a method looked up before the arguments' calls", """
        out = []
        for i in range(n):
            ob = either(i * 5)
            try:
                ob.add(f(i))
            except AttributeError:
                out.append(-1)
            try:
                [].add(apply(shown, i))
            except AttributeError:
                out.append(-2)
        return out
    """, (3, 0, [], "", {})),
    # A set or dict display is built in chunks at its * and ** operands: what they
    # cannot hold or unpack fails before the calls after them.
    ("displays built in chunks at their operands", """
        out = []
        for i in range(n):
            with Rec('w1', suppress=True):
                out.append(len({*rows(i + 1), f(i)}))
            with Rec('w2', suppress=True):
                out.append(len({"k": i, **kws(i + 3), "j": f(m)}))
        return out
    """, (3, 2, [], "", {})),
    # Session ten (seed 91002): a speculative element's call failed with a later
    # argument's error (a missing key, evaluated at once) while an earlier
    # argument's call was still running and about to fail first.
    ("an element's earlier argument fails after a later one", """
        try:
            msg = ''.join((summ(g(y=n, x=x), [], d['b']) for x in steps(2)))
        except LookupError as e5:
            pass
        return n
    """, (0, 0, [], "", {})),
    # Session ten: names taken from a box's attribute or getattr see the changes made
    # through the box by an augmented store and by a setter changing another attribute.
    ("names for a box's parts see changes through the box", """
        b = Box(n)
        part = b.items
        got = getattr(b, "items")
        b.items += [f(n)]
        k1 = len(part)
        b.last = g(m, n)
        k2 = len(part) * 10 + len(got)
        b.inner = Box(m)
        inner = b.inner
        b.inner.items += [f(m)]
        k3 = len(inner.items)
        return k1, k2, k3, b.total()
    """, (2, 3, [], "", {})),
    # The CI seed, session eleven: the threaded engine took (and so ran) every
    # element of a stateful iterator before each advance, past the one where ``any``
    # stops; the sequential mode already stopped there.
    ("any over map of an appending lambda, over reversed()", """
        if any(map(lambda x: xs.append(x) or True, reversed([1, n]))):
            pass
        found = all(map(lambda x: xs.append(-x) or x > 0, reversed([m, 1, 2])))
        return xs, found
    """, (0, 0, [], "", {})),
    # Seed 93005 program 368: a call issued ahead for a try in a loop read the
    # thread-local on a worker thread (0), not the owner's (8).
    ("a thread-local read by a call issued ahead for a try", """
        k2 = 0
        while k2 < 4:
            k2 += 1
            TL{sfx}.v = m
            if len(xs) < 9:
                xs.append(k2)
            try:
                f(tlv{sfx}(m))
            except AttributeError:
                pass
        return xs
    """, (0, 8, [], "", {})),
    # Seed 93012 program 297: a walrus in a comprehension run as written rebound ``r``
    # without logging it, so the suppressed failure after it put back the old value.
    ("a walrus comprehension before a block whose failure is suppressed", """
        r = 0
        [(r := f(n)) for w in [1]]
        with Rec('w1', suppress=True):
            if apply(lambda w: 0) > xs:
                pass
            r = g(r)
        return r
    """, (0, 0, [], "", {})),
    # Seed 93016 program 1376: ``all`` over ``map`` of a lambda that appends to the
    # list it maps: the list was iterated ahead of the appends (the loop ended early).
    ("map of a lambda growing the list it maps", """
        if all(map(lambda w: len(xs) < 9 and xs.append(w) or True, xs)):
            return sum(f(x) for x in xs), xs
        return xs
    """, (0, 0, [1], "", {})),
    # Seed 93013 program 29: an ``if`` step given a call started ahead that finished
    # (and let go of its arguments) while the step looked at them: TypeError.
    ("an if step on a call that finishes as it is issued", """
        for x in [0]:
            for i in range(2):
                v4 = total(xs)
                if v4 > 0:
                    a = d['b']
    """, (0, 0, [], "", {})),
    # Seed 93101 program 24: an argument that fails on the owner (``[][0]``) before
    # one lowered to a task (``n // 0``): the task was issued first, and its
    # ZeroDivisionError came out instead of the IndexError.
    ("a failing argument before one that becomes a task", """
        out = []
        try:
            if g([][0], n // 0) != []:
                pass
        except (IndexError, ZeroDivisionError) as e:
            out.append(type(e).__name__)
        try:
            out.append(g(*xs, {}['k'], n // 0))
        except (KeyError, ZeroDivisionError) as e:
            out.append(type(e).__name__)
        try:
            out.append(g(f(n), y=xs[5] if n < 5 else n // 0))
        except (IndexError, ZeroDivisionError) as e:
            out.append(type(e).__name__)
        return out
    """, (0, 0, [1], "", {})),
    # Seed 93105 program 4646: a lambda's default in a try step (``j=j``) read a name
    # the step rebinds later: the step did not take it from the body (UnboundLocalError),
    # and the lambda it made was named after the step's function, not the body's.
    ("a lambda default in a try step reads a name the step rebinds", """
        cnt = d
        for j in [n]:
            try:
                cnt['k'], d[lambda v, j=j: j] = divmod(m, 4)
                for v, j in xs:
                    pass
            except ArithmeticError:
                pass
        return [k if isinstance(k, str) else (k.__qualname__, k(0)) for k in d]
    """, (1, 6, [], "", {})),
    # Seed 93105 program 1047: a for loop's target counted as bound in its ``else``
    # (an empty loop binds nothing): an if step there read it first.
    ("a for target read by an if step in the loop's else", """
        for x in xs:
            pass
        else:
            for v in range(2):
                v3 = f(v)
                if v3 > 40 + n:
                    for x in range(m % 4):
                        xs.append(f(x))
        return xs
    """, (0, 1, [], "", {})),
    ("the same with a module of the project read after its function changed it", """
        OTHER.seto(n)
        v = OTHER.LEVEL + len(OOPTS)
        for x in xs:
            v += OTHER.OPTS.get(x % 5, -1) + f(x)
        return v, OTHER.LEVEL
    """, (3, 0, [1, 2, 6], "", {})),
    # Session fourteen: a read of module state in an expression that also waited for a
    # slow step was made when the step's result arrived, after the later change.
    ("module state read with a slow step, then changed by the next call", """
        for v in range(4):
            EV{sfx}.append(steady(v) + OTHER.LEVEL * 100 + len(REG{sfx}))
            EV{sfx}.append(f"{steady(v)}:{OOPTS.get(1, -1)}")
            OTHER.bump(v)
            track{sfx}(v)
        return len(REG{sfx}), OTHER.LEVEL
    """, (0, 0, [], "", {})),
    # Seed 20250101 program 1344: a match capture rebound in a try was not logged, so
    # the finally found it unbound after the try's failure.
    ("a match capture rebound in a try, read by its finally", """
        match f(m):
            case 1 | 2:
                xs.append(0)
            case c1 if c1 > 2:
                try:
                    xs.append(7)
                    up(s)
                    c1 *= g(m, n)
                except Exception:
                    xs.append(len(xs))
                finally:
                    K{sfx}.count += c1
                    print(n, c1)
        return xs
    """, (1, 7, [0], "", {})),
]


class Spec:
    """A corpus program in the form the harness runs."""

    def __init__(self, index, name, body, args, method=False, extra=""):
        self.index = index
        self.name = name
        self.sfx = f"c{index}"
        self.method = method
        self.args = args
        body = textwrap.dedent(body).strip("\n").replace("{sfx}", self.sfx)
        params = "self, n, m, xs, s, d" if method else "n, m, xs, s, d"
        fn = f"@desync(cache=False, executor=EXECUTOR)\ndef {'run' if method else 'p' + self.sfx}({params}):\n" + \
            textwrap.indent(body, "    ")
        state = ast.unparse(ast.Module(body=_module_state(self.sfx), type_ignores=[]))
        if method:
            fn = (f"class P{self.sfx}(Base):\n    def fill(self, x):\n        super().fill(x + 1)\n\n"
                  + textwrap.indent(fn, "    "))
        extra = extra.replace("{sfx}", self.sfx)
        self.text = state + "\n\n\n" + (extra + "\n\n" if extra else "") + fn + "\n"

    def module_text(self):
        return self.text


def specs():
    return [Spec(i, entry[0], entry[1], entry[2], *entry[3:]) for i, entry in enumerate(PROGRAMS)]
