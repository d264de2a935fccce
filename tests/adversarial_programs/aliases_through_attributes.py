"""Written from session nine's objects-and-state round (two of its four open gaps),
closed in session ten. Run: DESYNC_PACING=0 python tests/adversarial_programs/aliases_through_attributes.py

A name taken from an object's attribute (or ``getattr`` with a constant name) sees the
changes made after it through the object, and the other way round: augmented stores
change the old object in place; property setters and custom ``__setattr__``,
``__setitem__``, ``__delattr__`` and ``__delitem__`` may change other attributes.
(Names taken from what a method or a property gives are a known gap:
docs/semantics.md.)"""
import sys, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main, slow  # noqa: E402


class Inner:
    def __init__(self):
        self.vals = []

    def current(self):
        return self

    def part(self):
        return self.vals


class Box:
    def __init__(self):
        self.items = []
        self.inner = Inner()
        self.n = 0

    @property
    def first_list(self):
        return self.inner.vals

    @property
    def me(self):
        return self

    def get_inner(self):
        return self.inner

    def chain(self):
        return self


class Logged:
    def __init__(self):
        self.log = []
        self._p = 0

    @property
    def p(self):
        return self._p

    @p.setter
    def p(self, v):
        self.log.append(v)
        self._p = v


class Recording:
    def __init__(self):
        object.__setattr__(self, "seen", [])

    def __setattr__(self, name, value):
        self.seen.append(name)
        object.__setattr__(self, name, value)


class Table:
    def __init__(self):
        self.rows = {}
        self.history = []

    def __setitem__(self, key, value):
        self.history.append(key)
        self.rows[key] = value

    def __getitem__(self, key):
        return self.rows[key]

    def __delitem__(self, key):
        self.history.append(("del", key))
        del self.rows[key]


class Deleting:
    def __init__(self):
        self.log = []
        self.x = 1

    def __delattr__(self, name):
        self.log.append(name)
        object.__delattr__(self, name)


# -- augmented stores change the old object in place -----------------------------------

def aug_attribute_read_through_an_alias(b):
    alias = b.items
    b.items += [slow(1)]
    n = len(alias)
    b.items += [slow(2)]
    return n, len(alias), alias is b.items


def aug_item_read_through_an_alias(d):
    alias = d["k"]
    d["k"] += [slow(1)]
    return len(alias), alias is d["k"]


def aug_attribute_of_a_tuple_rebinds(b):
    b.items = (0,)
    alias = b.items
    b.items += (slow(1),)
    return alias, b.items


def aug_nested_attribute_read_through_an_alias(b):
    vals = b.inner.vals
    b.inner.vals += [slow(3)]
    return list(vals)


def aug_attribute_with_a_call_on_the_right(b):
    alias = b.items
    b.items += [len(alias), slow(4)]
    return list(alias)


def aug_in_a_loop_read_each_time(b, n):
    alias = b.items
    seen = []
    for i in range(n):
        b.items += [slow(i)]
        seen.append(len(alias))
    return seen


# -- property setters, __setattr__, __setitem__, __delattr__ ---------------------------

def property_setter_changes_another_attribute(o):
    log = o.log
    o.p = slow(5)
    return len(log), list(log)


def property_setter_in_a_loop(o, n):
    log = o.log
    out = []
    for i in range(n):
        o.p = slow(i)
        out.append(len(log))
    return out


def custom_setattr_changes_an_attribute(r):
    seen = r.seen
    r.x = slow(1)
    r.y = 2
    return list(seen)


def custom_setitem_changes_an_attribute(t):
    history = t.history
    t["a"] = slow(1)
    n = len(history)
    t["b"] = slow(2)
    return n, list(history)


def custom_delitem_changes_an_attribute(t):
    history = t.history
    t["a"] = slow(1)
    del t["a"]
    return list(history)


def custom_delattr_changes_an_attribute(d):
    log = d.log
    slow(0)
    del d.x
    return list(log)


# -- names taken through a method, a property or getattr -------------------------------



def alias_through_getattr(b):
    i = getattr(b, "inner")
    b.inner.vals.append(slow(3))
    return len(i.vals)




def change_through_the_alias_read_through_the_object(b):
    i = b.get_inner()
    i.vals.append(slow(3))
    return len(b.inner.vals)


def change_through_a_property_alias_read_through_the_object(b):
    vals = b.first_list
    vals.append(slow(3))
    return len(b.inner.vals)


def change_through_getattr_alias_read_through_the_object(b, name="inner"):
    i = getattr(b, name)
    i.vals.append(slow(3))
    return len(b.inner.vals), list(b.inner.vals)


def _box():
    return (Box(),)


CASES = [
    (aug_attribute_read_through_an_alias, _box),
    (aug_item_read_through_an_alias, lambda: ({"k": []},)),
    (aug_attribute_of_a_tuple_rebinds, _box),
    (aug_nested_attribute_read_through_an_alias, _box),
    (aug_attribute_with_a_call_on_the_right, _box),
    (aug_in_a_loop_read_each_time, lambda: (Box(), 4)),
    (property_setter_changes_another_attribute, lambda: (Logged(),)),
    (property_setter_in_a_loop, lambda: (Logged(), 4)),
    (custom_setattr_changes_an_attribute, lambda: (Recording(),)),
    (custom_setitem_changes_an_attribute, lambda: (Table(),)),
    (custom_delitem_changes_an_attribute, lambda: (Table(),)),
    (custom_delattr_changes_an_attribute, lambda: (Deleting(),)),
    (alias_through_getattr, _box),
    (change_through_the_alias_read_through_the_object, _box),
    (change_through_a_property_alias_read_through_the_object, _box),
    (change_through_getattr_alias_read_through_the_object, _box),
]


def _plain(value):
    if hasattr(value, "__dict__"):
        return {k: _plain(v) for k, v in vars(value).items()}
    return value


def _state(args):
    return repr([_plain(a) for a in args])


if __name__ == "__main__":
    main([(fn, make, _state) for fn, make in CASES])
