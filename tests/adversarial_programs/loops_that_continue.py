"""A ``for`` body whose statement ends a branch with ``continue`` (``if page is None:
continue``, ``except E: ...; continue``) has the rest of the body moved under the
``if``'s (the ``try``'s) ``else``, so that statement can run as one step and the loop
does not wait at it. Each case breaks a looser rewrite: the rest raising (the
handlers must not catch it), a ``finally``, handlers that do not all continue,
``except E as e``, an ``else`` already there, break and continue in the rest, a
``for ... else``, names bound in the rest and read after the loop, nested loops.
Run: DESYNC_PACING=0 python tests/adversarial_programs/loops_that_continue.py"""
import sys, os, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main  # noqa: E402


def fetch(x):
    time.sleep(0.01)
    if x % 4 == 3:
        raise ValueError(f"fetch {x}")
    return None if x % 3 == 0 else x * 10


def parse(v):
    time.sleep(0.005)
    if v == 50:
        raise ValueError("parse 50")   # (the handlers of the try before must not see it)
    return str(v)


def skip_none_then_parse(xs):
    out = []
    for x in xs:
        page = fetch(x) if x % 4 != 3 else None
        if page is None:
            print("skip", x)
            continue
        out.append(parse(page))
    return out


def try_continue_then_parse(xs):
    out = []
    for x in xs:
        try:
            page = fetch(x)
        except ValueError as e:
            print("failed", e)
            continue
        if page is None:
            continue
        out.append(parse(page))
    return out


def rest_raises_what_the_handler_catches(xs):
    out = []
    try:
        for x in xs:
            try:
                page = fetch(x)
            except ValueError:
                continue
            out.append(parse(page) if page else None)
    except ValueError as e:
        print("escaped", e)
    return out


def a_finally_keeps_its_continue(xs):
    out = []
    for x in xs:
        try:
            page = fetch(x)
        except ValueError:
            continue
        finally:
            print("finally", x)
        out.append(page)
    return out


def only_some_handlers_continue(xs):
    out = []
    for x in xs:
        try:
            page = fetch(x)
            if page is None:
                raise KeyError(x)
        except ValueError:
            continue
        except KeyError:
            page = -1
        out.append(page)
    return out


def else_already_there(xs):
    out = []
    for x in xs:
        try:
            page = fetch(x)
        except ValueError:
            out.append("bad")
            continue
        else:
            out.append(("else", page))
        out.append(page)
    return out


def break_and_continue_in_the_rest(xs):
    out = []
    for x in xs:
        page = fetch(x) if x != 3 else 0
        if page is None:
            continue
        if page > 60:
            break
        if page == 20:
            continue
        out.append(page)
    else:
        out.append("no break")
    return out


def names_bound_in_the_rest_read_after(xs):
    last = None
    count = 0
    for x in xs:
        page = fetch(x) if x % 4 != 3 else None
        if page is None:
            continue
        last = page
        count += 1
    return last, count


def nested_loops_continue_the_inner(xs):
    out = []
    for x in xs[:3]:
        for y in xs[:4]:
            page = fetch(x + y) if (x + y) % 4 != 3 else None
            if page is None:
                continue
            out.append((x, y, page))
        out.append(("row", x))
    return out


def continue_inside_a_nested_if(xs):
    out = []
    for x in xs:
        page = fetch(x) if x % 4 != 3 else None
        if page is not None:
            if page > 40:
                out.append("big")
                continue
            out.append("small")
            continue
        out.append(("none", x))
    return out


def handler_reads_the_exception_then_continues(xs):
    errors = []
    out = []
    for x in xs:
        try:
            out.append(fetch(x))
        except ValueError as e:
            errors.append(str(e))
            continue
        out.append("ok")
    return out, errors


XS = lambda: (list(range(1, 9)),)

CASES = [(skip_none_then_parse, XS, repr), (try_continue_then_parse, XS, repr),
         (rest_raises_what_the_handler_catches, XS, repr),
         (a_finally_keeps_its_continue, XS, repr), (only_some_handlers_continue, XS, repr),
         (else_already_there, XS, repr), (break_and_continue_in_the_rest, XS, repr),
         (names_bound_in_the_rest_read_after, XS, repr),
         (nested_loops_continue_the_inner, XS, repr), (continue_inside_a_nested_if, XS, repr),
         (handler_reads_the_exception_then_continues, XS, repr)]

if __name__ == "__main__":
    main(CASES)
