"""Written from session nine's adversarial round on evaluation order.
Run: DESYNC_PACING=0 python tests/adversarial_programs/display_chunks.py

A set or dict display with ``*``/``**`` operands is built in chunks: Python builds
(hashing) what comes before an operand before evaluating it, and adds the operand's
items before evaluating what follows. So "unhashable type", "'int' object is not
iterable" and "'int' object is not a mapping" come before later calls, and prints."""
import sys, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main, slow  # noqa: E402


def ok(x):
    print("ok", x)
    return x


def boom(x):
    print("boom", x)
    raise ValueError(x)


def unhashable_key_before_a_mapping():
    b = {"z": 1}
    return {slow([]): 1, **b, ok(2): ok(3)}


def unhashable_key_before_a_bad_mapping():
    return {slow([]): ok(1), **slow(5), ok(2): ok(3)}


def not_a_mapping_before_a_failing_value():
    return {**slow(5), "k": boom(1)}


def merged_in_order():
    return {slow("a"): ok(1), **slow({"b": 2}), ok("c"): ok(3), **slow({"a": 9})}


def unhashable_key_before_the_mappings_call():
    return {slow([]): 1, **ok({"a": 1})}


def set_star_not_iterable():
    return {*slow(5), ok(1)}


def set_unhashable_before_a_star():
    b = [1]
    return {slow([]), *b, ok(2)}


def set_unhashable_items_of_a_star():
    return {*slow([[1]]), ok(2)}


def set_unhashable_before_the_stars_call():
    return {slow([]), *ok([1])}


def set_built_in_order():
    return {slow(1), *slow([2, 3]), ok(4), *slow((5,)), ok(6)}


if __name__ == "__main__":
    main([unhashable_key_before_a_mapping, unhashable_key_before_a_bad_mapping,
          not_a_mapping_before_a_failing_value, merged_in_order,
          unhashable_key_before_the_mappings_call, set_star_not_iterable,
          set_unhashable_before_a_star, set_unhashable_items_of_a_star,
          set_unhashable_before_the_stars_call, set_built_in_order])
