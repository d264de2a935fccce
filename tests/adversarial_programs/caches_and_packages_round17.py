"""Callees reaching state or output through another module in ways their own names
do not show, and cache keys missing what a callee reads. desync answered from the
cache a callee adding through a function bound by ``from .store import *``, one whose
``with db:`` changes a module's object, one reading ``sys.modules[name].LEVEL`` after
the body set it (and ran it before the body's store), one reading a keyword-only
default changed in place, or a dict subclass's items; handed out the one stored
named-tuple subclass on every hit (an attribute set on one showed on the next); and
ran hooks kept in a dict of lists, or plugin classes kept in a table, that print,
before the body's own ``print`` before them. Library functions reading or writing
files by path (``ElementTree.parse``, ``numpy.loadtxt``) were cached too.
Run: DESYNC_PACING=0 python tests/adversarial_programs/caches_and_packages_round17.py"""
import sys, os, time, collections, tempfile
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main  # noqa: E402
import _r17_store  # noqa: E402
import _r17_services as services  # noqa: E402
from _r17_services import db, record, level_plus, save, fire, run_plugin  # noqa: E402
import xml.etree.ElementTree as ET  # noqa: E402

TABLE = {"a": 1}
_XML = os.path.join(tempfile.mkdtemp(prefix="desync-r17-"), "data.xml")


def lookup(k, *, table=TABLE):
    return table[k]


def looked_up(k):
    time.sleep(0.01)
    return lookup(k)


class Opts(dict):
    def __getstate__(self):
        return dict(self)

    def __setstate__(self, state):
        self.update(state)


def level_of(opts):
    time.sleep(0.01)
    return opts["level"]


class Point(collections.namedtuple("Point", "x y")):
    def norm(self):
        return abs(self.x) + abs(self.y)


def make_point():
    time.sleep(0.01)
    return Point(1, 2)


def parsed(path):
    time.sleep(0.005)
    return ET.parse(path).getroot().text


def slow():
    time.sleep(0.03)
    return 0


def _write_xml(text):
    with open(_XML, "w") as handle:
        handle.write(f"<r>{text}</r>")


def _fresh():
    _r17_store.ITEMS.clear()
    _r17_store.LEVEL = 1
    db.log.clear()
    TABLE["a"] = 1
    _write_xml("one")
    return ()


def _opts():
    _fresh()
    return (Opts(level=1),)


def recorded_through_a_star_import():
    a = record(3)
    b = record(3)
    return a, b, list(_r17_store.ITEMS)


def read_through_sys_modules_after_the_bodys_store():
    a = level_plus(1)
    _r17_store.LEVEL = 5
    b = level_plus(1)
    return a, b


def a_with_on_a_modules_object():
    a = save(1)
    b = save(1)
    return a, b, list(db.log)


def a_keyword_only_default_read():
    first = looked_up("a")
    TABLE["a"] = 2
    return first, looked_up("a")


def a_dict_subclass_choosing_its_pickle(opts):
    first = level_of(opts)
    opts["level"] = 2
    return first, level_of(opts)


def a_named_tuple_subclass_result():
    p = make_point()
    before = dict(vars(p))
    p.label = "seen"
    return before


def a_file_parsed_by_path():
    first = parsed(_XML)
    _write_xml("two")
    return first, parsed(_XML)


def hooks_kept_in_a_dict_of_lists_print():
    a = slow()
    print("before", a)
    fire(1)
    print("after")


def a_plugin_class_from_a_table_prints():
    a = slow()
    print("before", a)
    run_plugin("Shout", 1)
    print("after")


_ALL = [recorded_through_a_star_import, read_through_sys_modules_after_the_bodys_store,
        a_with_on_a_modules_object, a_keyword_only_default_read, a_named_tuple_subclass_result,
        a_file_parsed_by_path, hooks_kept_in_a_dict_of_lists_print,
        a_plugin_class_from_a_table_prints]
CASES = [(f, _fresh) for f in _ALL] + [(f, _fresh, lambda a: repr(a), 4, True) for f in _ALL] + [
    (a_dict_subclass_choosing_its_pickle, _opts, lambda a: repr(a), 4, True)]

if __name__ == "__main__":
    print("cases:", len(CASES))
    main(CASES)
