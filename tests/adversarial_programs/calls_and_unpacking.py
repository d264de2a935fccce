"""Written from the fourth adversarial round (the engine's control flow).
Run: DESYNC_PACING=0 python tests/adversarial_programs/calls_and_unpacking.py

Errors the body's own syntax raises keep Python's type, message and context: a
keyword given twice through ``**``, ``*``/``**`` operands of the wrong kind,
unpacking a value that is not iterable; and ``except E as e`` in a try in a loop
when ``e`` was bound before."""
import sys, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main, slow  # noqa: E402


def kw(**k):
    return k


def f(*a, **k):
    return a


class Box:
    def m(self, *a, **k):
        return a, k


class BadKeys:
    def keys(self):
        raise KeyError("from keys()")


def keyword_twice_through_a_mapping():
    return kw(a=1, **slow({"a": 2}))


def keyword_twice_in_two_mappings():
    d = {"a": 1}
    return kw(**d, **slow({"a": 2}))


def keywords_merged_in_order():
    d = {"x": 1}
    return kw(**d, y=slow(2), **{"z": 3})


def star_operand_not_iterable():
    return f(*slow(5))


def star_operand_not_iterable_among_others():
    return f(1, *slow(5))


def double_star_operand_not_a_mapping():
    return f(**slow(5))


def double_star_mapping_that_fails():
    return kw(a=1, **slow(BadKeys()))


def keywords_not_strings():
    return kw(**slow({1: 2}))


def method_keyword_twice():
    return Box().m(a=1, **slow({"a": 2}))


def method_star_not_iterable():
    return Box().m(*slow(5))


def unpack_not_iterable():
    a, b = slow(None)
    return a, b


def unpack_context_seen_by_a_handler():
    try:
        a, b = slow(3)
    except TypeError as e:
        return repr(e), repr(e.__context__)


def boom(x):
    if x == 1:
        raise ValueError(f"boom {x}")
    return x


def except_as_name_bound_before_the_loop():
    e = "outer"
    out = []
    for i in range(3):
        try:
            out.append(boom(i))
        except ValueError as e:
            out.append(str(e))
    return out


def except_as_name_read_after_the_loop():
    e = "outer"
    for i in range(2):
        try:
            boom(i)
        except ValueError as e:
            pass
    return e


if __name__ == "__main__":
    main([keyword_twice_through_a_mapping, keyword_twice_in_two_mappings, keywords_merged_in_order,
          star_operand_not_iterable, star_operand_not_iterable_among_others,
          double_star_operand_not_a_mapping, double_star_mapping_that_fails, keywords_not_strings,
          method_keyword_twice, method_star_not_iterable, unpack_not_iterable,
          unpack_context_seen_by_a_handler, except_as_name_bound_before_the_loop,
          except_as_name_read_after_the_loop])
