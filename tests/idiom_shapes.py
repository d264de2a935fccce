"""The loop shapes people write, each with six slow calls: all must run them
together. Shared by tests/test_idioms.py and the benchmarks."""
import functools
import logging
import time

import idiom_settings
from desync import desync

D = 0.2
def slow(x):
    time.sleep(D); return x
def may_fail(x):
    time.sleep(D)
    if x % 3 == 0: raise ValueError(x)
    return x
def parse(f):
    time.sleep(D); return f * 2
def summarize(p):
    time.sleep(D); return p + 1

@desync
def dict_store(xs):
    res = {}
    for x in xs:
        res[x] = slow(x)
    return res
@desync
def listcomp(xs):
    return [slow(x) for x in xs]
@desync
def setcomp(xs):
    return {slow(x) for x in xs}
@desync
def dictcomp(xs):
    return {x: slow(x) for x in xs}
@desync
def genexp_sum(xs):
    return sum(slow(x) for x in xs)
@desync
def map_list(xs):
    return list(map(slow, xs))
@desync
def index_store(xs):
    out = [None] * len(xs)
    for i, x in enumerate(xs):
        out[i] = slow(x)
    return out
@desync
def two_loops(xs):
    pages = []
    for x in xs:
        pages.append(slow(x))
    out = {}
    for x, p in zip(xs, pages):
        out[x] = p
    return out
@desync
def try_per_item(xs):
    out = []
    for x in xs:
        try:
            out.append(may_fail(x))
        except ValueError:
            out.append(None)
    return out
@desync
def pipeline(files):
    parsed = [parse(f) for f in files]
    stats = [summarize(p) for p in parsed]
    return stats
@desync
def nested_loops(xs):
    out = []
    for a in xs[:2]:
        for b in xs[:3]:
            out.append(slow(a * 10 + b))
    return out
@desync
def while_counter(xs):
    out = []
    i = 0
    while i < len(xs):
        out.append(slow(xs[i]))
        i += 1
    return out
@desync
def grouping(xs):
    groups = {}
    for x in xs:
        groups.setdefault(x % 2, []).append(slow(x))
    return groups
class Acc:
    def __init__(self): self.items = []
    def add(self, v): self.items.append(v)
@desync
def method_acc(xs):
    acc = Acc()
    for x in xs:
        acc.add(slow(x))
    return acc.items
@desync
def any_gen(xs):
    return any(slow(x) > 100 for x in xs)

def numbered(n):
    for i in range(n):
        yield i
def records(n):
    for i in range(n):
        record = {"at": i}
        yield record
@desync
def for_over_generator(xs):
    out = []
    for i in numbered(len(xs)):
        out.append(slow(xs[i]))
    return out
@desync
def comp_over_generator(xs):
    return [slow(xs[r["at"]]) for r in records(len(xs))]

# Objects of the user's (session ten: an adversarial round found these serialised by a
# first cut of ordering names taken through methods and properties).
def work(session, x):
    time.sleep(D); return x + session["token"]
class Service:
    def __init__(self):
        self._session = {"token": 1}
        self.results = []
        self.count = 0
        self.last = None
    @property
    def session(self):
        return self._session
    def get_session(self):
        return self._session
class Tracked:
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
@desync
def session_then_appends(xs):
    svc = Service()
    session = svc.get_session()
    for x in xs:
        svc.results.append(work(session, x))
    return svc.results
@desync
def session_property_then_counted_stores(xs):
    svc = Service()
    session = svc.session
    out = []
    for x in xs:
        svc.count += 1
        svc.last = work(session, x)
        out.append(svc.last)
    return out, svc.count
@desync
def setter_in_loop(xs):
    t = Tracked()
    for x in xs:
        t.p = slow(x)
    return t.log, t.p

class Client:
    def __init__(self):
        self.base = 1
    def fetch(self, x):
        time.sleep(D); return x + self.base
@desync
def client_made_in_body(xs):
    client = Client()   # (a step's result: judged as any object once made)
    out = []
    for x in xs:
        out.append(client.fetch(x))
    return out

class Fetcher:
    def fetch(self, x):
        time.sleep(D)
        if x % 3 == 0: raise ValueError(x)
        return x
FETCHER = Fetcher()
@desync
def try_method_of_given_client(xs, client=FETCHER):
    out, failed = [], []
    for x in xs:
        try:
            out.append(client.fetch(x))
        except ValueError:
            failed.append(x)
    return out, failed
@desync
def try_store_by_key_given_client(xs, client=FETCHER):
    pages = {}
    for x in xs:
        try:
            pages[x] = client.fetch(x)
        except ValueError as e:
            pages[x] = str(e)
    return pages

def maybe(x):
    time.sleep(D)
    return None if x % 3 == 0 else x
@desync
def filter_on_the_result(xs):
    out = []
    for x in xs:
        page = maybe(x)
        if page is not None:
            out.append(page)
    return out
@desync
def filter_on_a_call(xs):
    kept, skipped = [], []
    for x in xs:
        if maybe(x):
            kept.append(x)
        else:
            skipped.append(x)
    return kept, skipped

@desync
def skip_failures(xs):
    out = []
    for x in xs:
        try:
            page = may_fail(x)
        except ValueError:
            continue
        out.append(page)
    return out
@desync
def skip_missing(xs):
    out = []
    for x in xs:
        page = maybe(x)
        if page is None:
            continue
        out.append(page)
    return out

# A library's logger, silenced (so the benchmarks print nothing).
_quiet = logging.getLogger("desync.idioms")
_quiet.addHandler(logging.NullHandler())
_quiet.propagate = False
def fetch_or_none(x):
    time.sleep(D)
    if x % 4 == 0: raise ConnectionError(f"{x}: timed out")
    return None if x % 5 == 0 else f"<page {x}>"
def parse_page(page):
    return {"len": len(page)}
@desync
def report_job(xs):
    pages, failed, missing = {}, [], 0
    for x in xs:
        try:
            page = fetch_or_none(x)
        except ConnectionError as e:
            _quiet.warning("skipping %s", e)
            failed.append(x)
            continue
        if page is None:
            missing += 1
            continue
        pages[x] = parse_page(page)
    return pages, failed, missing

@desync
def helper_module_and_its_constant(xs):
    out = []
    for x in xs:
        out.append(idiom_settings.work(x, D) * idiom_settings.SCALE)
    return out

@desync
def progress_in_a_helper_module(xs):
    # The body reads the module's list, then a later call changes it: the reads wait
    # for the changes before them, and the changes for the reads before them, while
    # the slow calls (which read none of it) still run together.
    out = []
    for x in xs:
        if len(idiom_settings.DONE) > 1000:
            break
        out.append(slow(x))
        idiom_settings.record(x)
    return out

HEADERS = {"agent": "idioms"}
def make_session():
    return {"headers": dict(HEADERS)}   # (a new object each call: not module state)
def fetch_with(session, x):
    time.sleep(D)
    return (session["headers"]["agent"], x)
def done_so_far():
    return idiom_settings.DONE   # (hands out module state)

@desync
def session_from_a_factory_with_progress(xs):
    # A local bound to what a function returns is read as module state only when
    # that function hands module state out: the session here is not, so the calls
    # given it still run together although each iteration records progress.
    session = make_session()
    out = []
    for x in xs:
        idiom_settings.record(x)
        out.append(fetch_with(session, x))
    return out

DEFAULTS = {"headers": {"agent": "defaults"}}   # (no code changes it)
def get_defaults():
    return DEFAULTS   # (hands out module state that never changes)

@desync
def settings_from_a_getter_with_progress(xs):
    # What a getter hands out that no code changes is read as by its name: the calls
    # given it need not wait for the progress calls, which change other state.
    defaults = get_defaults()
    out = []
    for x in xs:
        idiom_settings.record(x)
        out.append(fetch_with(defaults, x))
    return out

class App:
    routes = []
    requests = 0   # (counted by each call: module state, but not the routes)

def serve(route):
    time.sleep(D)
    App.requests += 1
    return route * 2

@desync
def loop_over_an_attribute_counting_in_another(xs):
    # A loop over module state that a function changes (App.routes) waits at each step
    # only for the calls that may change it: serve counts in App.requests, so the
    # calls run together.
    App.routes[:] = xs
    out = []
    for route in App.routes:
        out.append(serve(route))
    return out

@desync
def progress_from_a_getter(xs):
    done = done_so_far()
    start = len(done)
    out = []
    for x in xs:
        out.append(slow(x))
        idiom_settings.record(x)
    return out, len(done) - start

@functools.lru_cache(maxsize=None)
def fetch_remembered(x):
    time.sleep(D)
    return {"body": [x] * 3}

def parse_body(page):
    time.sleep(D)
    return len(page["body"])

@desync
def remembered_fetch_then_parse_with_progress(xs):
    # What a remembered function hands out is shared (every call gives the one
    # object): read as module state, but only calls that may reach it (they name the
    # function) are waited for: the progress calls are not, and nothing waits for
    # the fetch itself before its parse is issued.
    fetch_remembered.cache_clear()
    out = []
    for x in xs:
        page = fetch_remembered(x)
        out.append(parse_body(page))
        idiom_settings.record(x)
    return out

FLAGS = {"upper": False}

@functools.lru_cache(maxsize=None)
def normalised(x):
    time.sleep(D)
    return f"u{x}"

@desync
def remembered_keys_with_a_flag(xs):
    normalised.cache_clear()
    out = []
    for x in xs:
        key = normalised(x) if not FLAGS["upper"] else normalised(x).upper()
        out.append(key)
    return out

class Page:
    registry = {}

    @classmethod
    def cached(cls, x):
        if x in cls.registry:
            return cls.registry[x]   # (may hand out what the class keeps)
        time.sleep(D)
        return {"body": [x] * 2}

@desync
def class_methods_page_then_parse(xs):
    out = []
    for x in xs:
        page = Page.cached(x)
        out.append(parse_body(page))
    return out


CASES = [("dict store in loop", dict_store, 6), ("list comprehension", listcomp, 6),
 ("set comprehension", setcomp, 6), ("dict comprehension", dictcomp, 6),
 ("sum(genexp)", genexp_sum, 6), ("list(map(...))", map_list, 6),
 ("store by index", index_store, 6), ("fan-out then zip loop", two_loops, 6),
 ("try per item", try_per_item, 6), ("two-stage pipeline", pipeline, 6),
 ("nested loops", nested_loops, 6), ("while with counter", while_counter, 6),
 ("grouping with setdefault", grouping, 6), ("method accumulator", method_acc, 6),
 ("any(genexp)", any_gen, 6), ("for over own generator", for_over_generator, 6),
 ("comprehension over own generator", comp_over_generator, 6),
 ("session taken by a method, appends", session_then_appends, 6),
 ("session property, counter and stores", session_property_then_counted_stores, 6),
 ("property setter in a loop", setter_in_loop, 6),
 ("methods of an object made in the body", client_made_in_body, 6),
 ("try per item, a given client's method", try_method_of_given_client, 6),
 ("try per item, stores by key from a given client", try_store_by_key_given_client, 6),
 ("if on a call's result", filter_on_the_result, 6), ("if on a call", filter_on_a_call, 6),
 ("try, except: continue", skip_failures, 6), ("if missing: continue", skip_missing, 6),
 ("fetch, log and skip failures, count missing, store parsed", report_job, 6),
 ("a helper module's function and its constant", helper_module_and_its_constant, 6),
 ("progress kept in a helper module", progress_in_a_helper_module, 6),
 ("a session from a factory, progress recorded", session_from_a_factory_with_progress, 6),
 ("progress read through a getter", progress_from_a_getter, 6),
 ("settings from a getter, progress recorded", settings_from_a_getter_with_progress, 6),
 ("loop over an attribute, counting in another", loop_over_an_attribute_counting_in_another, 6),
 ("a remembered fetch, then parse, progress recorded",
  remembered_fetch_then_parse_with_progress, 6),
 ("remembered keys and a flag read", remembered_keys_with_a_flag, 6),
 ("a class method's page, then parse", class_methods_page_then_parse, 6)]
IDEAL = {"two-stage pipeline": 2 * D,
         "a remembered fetch, then parse, progress recorded": 2 * D,
         "a class method's page, then parse": 2 * D}
