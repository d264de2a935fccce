"""Written from session nine's probe of ``*`` and ``**`` arguments.
Run: DESYNC_PACING=0 python tests/adversarial_programs/unpacking_order.py

Python unpacks a ``*`` operand (unless it is the only positional one) and merges a
``**`` operand as it evaluates a call's arguments, so their errors come before those
of the arguments after them; and it words a failing merge its own way: any
AttributeError means "not a mapping", a KeyError can mean "given twice" (always on
3.12+, for one raised by C code on 3.10 and 3.11), a C type is named with its module."""
import datetime
import sys, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main, slow  # noqa: E402


def kw(**k):
    return k


def f(*a, **k):
    return a, k


def boom():
    raise ValueError("boom")


class Box:
    def m(self, *a, **k):
        return a, k


class AttributeInKeys:
    def keys(self):
        raise AttributeError("inner")


class AttributeInGetitem:
    def keys(self):
        return ["a"]

    def __getitem__(self, key):
        raise AttributeError("inner get")


class LookupInGetitem:        # a KeyError raised by C code (a dict lookup)
    def keys(self):
        return ["a"]

    def __getitem__(self, key):
        return {}[key]


class RaisedInGetitem:        # a KeyError raised by ``raise``
    def keys(self):
        return ["a"]

    def __getitem__(self, key):
        raise KeyError(key)


class KeysNotIterable:
    def keys(self):
        return 5


class OwnKeys(dict):          # a dict's entries are read as they are: keys() is not asked
    def keys(self):
        raise RuntimeError("not called")


def not_a_mapping_before_a_failing_argument():
    return kw(a=1, **slow(5), b=boom())


def attribute_error_in_keys_before_a_failing_argument():
    return kw(**slow(AttributeInKeys()), b=boom())


def attribute_error_in_getitem():
    return kw(**slow(AttributeInGetitem()))


def key_error_from_a_lookup_in_getitem():
    return kw(**slow(LookupInGetitem()), b=boom())


def key_error_raised_in_getitem():
    return kw(**slow(RaisedInGetitem()), b=boom())


def keys_not_iterable():
    return kw(**slow(KeysNotIterable()))


def a_dict_whose_keys_method_is_not_asked():
    return kw(**slow(OwnKeys(a=1)), b=slow(2))


def a_key_with_braces_given_twice():
    return kw(**slow({"a{b}": 1}), **{"a{b}": 2})


def twice_before_a_failing_argument():
    return kw(a=1, **slow({"a": 2}), b=boom())


def a_named_group_given_twice_before_a_mapping_that_fails():
    return kw(**slow({"a": 1}), a=2, **slow(5))


def keys_not_strings_then_not_a_mapping():
    return kw(**slow({1: 2}), **slow(5))


def not_a_mapping_before_a_print():
    return kw(**slow(5), b=print("printed"))


def star_not_iterable_before_a_failing_argument():
    return f(1, *slow(5), boom())


def star_first_not_iterable_before_a_failing_argument():
    return f(*slow(5), boom())


def the_only_star_is_checked_at_the_call():
    return f(*slow(5), k=boom())


def star_not_iterable_before_a_print():
    return f(1, *slow(5), print("printed"))


def method_not_a_mapping_before_a_failing_argument():
    return Box().m(**slow(5), b=boom())


def method_star_not_iterable_before_a_failing_argument():
    return Box().m(1, *slow(5), boom())


def a_c_type_named_with_its_module():
    return f(1, *slow(datetime.date(2020, 1, 2)), boom())


def a_c_type_not_a_mapping():
    return kw(**slow(datetime.date(2020, 1, 2)))


def a_c_type_not_unpackable():
    a, b = slow(datetime.date(2020, 1, 2))
    return a, b


def a_c_type_not_iterable_as_the_only_star():
    return f(*slow(datetime.date(2020, 1, 2)))


if __name__ == "__main__":
    main([not_a_mapping_before_a_failing_argument,
          attribute_error_in_keys_before_a_failing_argument, attribute_error_in_getitem,
          key_error_from_a_lookup_in_getitem, key_error_raised_in_getitem, keys_not_iterable,
          a_dict_whose_keys_method_is_not_asked, a_key_with_braces_given_twice,
          twice_before_a_failing_argument,
          a_named_group_given_twice_before_a_mapping_that_fails,
          keys_not_strings_then_not_a_mapping, not_a_mapping_before_a_print,
          star_not_iterable_before_a_failing_argument,
          star_first_not_iterable_before_a_failing_argument,
          the_only_star_is_checked_at_the_call, star_not_iterable_before_a_print,
          method_not_a_mapping_before_a_failing_argument,
          method_star_not_iterable_before_a_failing_argument,
          a_c_type_named_with_its_module, a_c_type_not_a_mapping, a_c_type_not_unpackable,
          a_c_type_not_iterable_as_the_only_star])
