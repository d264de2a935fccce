"""Written from the fourth adversarial round (the engine's control flow).
Run: DESYNC_PACING=0 python tests/adversarial_programs/chains_and_stops.py

A chained comparison evaluates a later operand only if the comparisons before it
hold; a StopIteration raised by an element of a generator expression becomes
Python's RuntimeError, one raised by map's function ends the map quietly, and one
raised by the body of a for loop over an iterator leaves the loop as it is."""
import sys, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main, slow  # noqa: E402


def bad(x):
    raise ValueError(f"bad {x}")


def shout(x):
    print("reached", x)
    return x


def stop(x):
    raise StopIteration(x)


def head(xs):
    return next(iter(xs))


def chain_stops_before_a_failing_call():
    return 2 < 1 < bad(1)


def chain_stops_before_a_print():
    return 2 < 1 < shout(3), 0 < 1 < shout(4)


def chain_in_an_if_and_an_assert():
    out = []
    for x in range(4):
        if 1 < x < slow(x + 1) < bad(x) if x > 5 else 1 < x < slow(x + 1):
            out.append(x)
    assert 0 < slow(1) < 2 < 3
    return out


def chain_middle_computed_once():
    calls = []
    def middle():
        calls.append(1)
        return slow(5)
    return 1 < middle() < slow(9), 9 < middle() < bad(0), len(calls)


def chain_binding_in_an_operand():
    r = 2 < 1 < (c := slow(9))
    try:
        return r, c
    except NameError:
        return r, "unbound"


def chain_in_a_comprehension_condition():
    return [x for x in range(5) if 0 < x < (bad(x) if x > 9 else slow(3))]


def genexpr_element_raises_stopiteration():
    return sum(stop(x) for x in range(2))


def genexpr_stopiteration_caught_as_runtime_error():
    try:
        return sorted(stop(x) for x in [1])
    except RuntimeError as e:
        return "RuntimeError", str(e), repr(e.__cause__), repr(e.__context__)


def genexpr_callee_hits_an_empty_list():
    return tuple(head(x) for x in [[1], []])


def map_stops_quietly():
    return list(map(head, [[1], [], [3]])), sum(map(head, [[2], [], [bad]]))


def map_in_any():
    return any(map(head, [[0], []]))


def stop_at(x):
    if x == 1:
        raise StopIteration(x)
    return x


def loop_body_stopiteration_leaves_the_call():
    out = []
    for x in iter(range(3)):   # an iterator: each step waits for the body before it
        out.append(stop_at(slow(x)))
    return out


def loop_body_stopiteration_caught_around_the_loop():
    out = []
    try:
        for x in iter(range(3)):
            out.append(stop_at(slow(x)))
    except Exception as e:
        return type(e).__name__, repr(e), out


def loop_body_stopiteration_suppressed_by_a_with():
    import contextlib
    out = []
    with contextlib.suppress(StopIteration):
        for x in iter(range(3)):
            out.append(stop_at(slow(x)))
    return out


if __name__ == "__main__":
    main([chain_stops_before_a_failing_call, chain_stops_before_a_print,
          chain_in_an_if_and_an_assert, chain_middle_computed_once, chain_binding_in_an_operand,
          chain_in_a_comprehension_condition, genexpr_element_raises_stopiteration,
          genexpr_stopiteration_caught_as_runtime_error, genexpr_callee_hits_an_empty_list,
          map_stops_quietly, map_in_any, loop_body_stopiteration_leaves_the_call,
          loop_body_stopiteration_caught_around_the_loop,
          loop_body_stopiteration_suppressed_by_a_with])
