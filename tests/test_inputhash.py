"""Input hashing never confuses two values a callee could tell apart.

The oracle is pickle's own structure (pure-Python pickler, protocol 5): it records
types (``1``, ``1.0``, ``True``; ``str`` subclasses by class), float bits (``-0.0``,
NaN payloads), order (dicts by insertion, sets by iteration) and the sharing of
mutable containers. It does not record the sharing of immutable objects (two equal
strings or tuples, one object or two), which a callee cannot rely on: pickle's
default memo of those is switched off.
"""
from __future__ import annotations

import io
import os
import pickle
import struct

from hypothesis import HealthCheck, given, settings, strategies as st

from desync.runtime.inputhash import call_digest, hash_call_inputs, hash_value


class Label(str):
    """A str subclass: equal to a str, yet another type."""


class _Oracle(pickle._Pickler):
    def memoize(self, obj):
        if type(obj) in (list, dict, set, bytearray):
            super().memoize(obj)


def oracle(value) -> bytes:
    out = io.BytesIO()
    _Oracle(out, protocol=5).dump(value)
    return out.getvalue()


def needs_pickle(value, seen=None) -> bool:
    seen = set() if seen is None else seen
    if id(value) in seen:
        return False
    seen.add(id(value))
    if type(value) is Label:
        return True
    if type(value) in (list, tuple, set, frozenset):
        return any(needs_pickle(v, seen) for v in value)
    if type(value) is dict:
        return any(needs_pickle(k, seen) or needs_pickle(v, seen) for k, v in value.items())
    return False


# A narrow domain, so that equal and nearly equal values meet often.
# Examples per property test: CI's budget; DESYNC_HYPOTHESIS_EXAMPLES=20000 for a long run.
EXAMPLES = int(os.environ.get("DESYNC_HYPOTHESIS_EXAMPLES", "800"))
NAN_BITS = [0x7FF8000000000000, 0x7FF8000000000001, 0xFFF8000000000000, 0x7FF0000000000001]
floats = st.sampled_from([0.0, -0.0, 1.0, 2.5, float("inf")] +
                         [struct.unpack("<d", struct.pack("<Q", b))[0] for b in NAN_BITS])
hashable_leaves = st.one_of(
    st.none(), st.booleans(), st.integers(-2, 2), st.integers(2 ** 63, 2 ** 64), floats,
    st.text("ab", max_size=2), st.text("ab", max_size=2).map(Label),
    st.binary(max_size=2), st.builds(complex, st.integers(0, 1), st.integers(0, 1)))
leaves = st.one_of(hashable_leaves, st.binary(min_size=4090, max_size=4100).map(bytearray))


def shared_pair(child):
    return st.builds(lambda x: [x, x], child)


values = st.recursive(
    leaves,
    lambda child: st.one_of(
        st.lists(child, max_size=3),
        st.lists(child, max_size=3).map(tuple),
        st.dictionaries(hashable_leaves, child, max_size=3),
        st.sets(hashable_leaves, max_size=4),
        st.frozensets(hashable_leaves, max_size=4),
        shared_pair(child),
    ),
    max_leaves=8,
)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(values, min_size=2, max_size=6))
def test_equal_hashes_mean_equal_structure(batch):
    digests = [hash_value(v) for v in batch]
    shapes = [oracle(v) for v in batch]
    for i in range(len(batch)):
        for j in range(i + 1, len(batch)):
            same_hash = digests[i] == digests[j]
            same_shape = shapes[i] == shapes[j]
            assert not same_hash or same_shape, (batch[i], batch[j])
            if not (needs_pickle(batch[i]) or needs_pickle(batch[j])):
                assert same_hash == same_shape, (batch[i], batch[j])


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(values, values), min_size=1, max_size=3))
def test_call_digests_follow_the_same_rule(calls):
    # Whole argument tuples, through both the repr fast path and the general path.
    digests = [call_digest(args, None).digest for args in calls]
    shapes = [oracle(args) for args in calls]
    for i in range(len(calls)):
        assert hash_call_inputs(calls[i], None) == digests[i]
        for j in range(i + 1, len(calls)):
            if digests[i] == digests[j]:
                assert shapes[i] == shapes[j], (calls[i], calls[j])


def _twin(value, draw, memo):
    """A value equal to ``value`` (or nearly) that may differ in what a callee can see:
    order, type, float bits, sharing."""
    if id(value) in memo:
        return memo[id(value)] if draw(st.booleans()) else _twin_fresh(value, draw)
    twin = _twin_fresh(value, draw, memo)
    if type(value) in (list, dict, set, bytearray):
        memo[id(value)] = twin
    return twin


def _twin_fresh(value, draw, memo=None):
    memo = {} if memo is None else memo
    kind = type(value)
    choice = draw(st.integers(0, 3))
    if kind is bool or (kind is int and value in (0, 1)):
        return draw(st.sampled_from([value, int(value), bool(value), float(value)]))
    if kind is float:
        swaps = {0.0: [0.0, -0.0, 0, False], 1.0: [1.0, 1, True]}
        if value != value:
            return draw(st.sampled_from([struct.unpack("<d", struct.pack("<Q", b))[0]
                                         for b in NAN_BITS]))
        return draw(st.sampled_from(swaps.get(value, [value])))
    if kind is str or kind is Label:
        return draw(st.sampled_from([str(value), Label(value)]))
    if kind is bytes:
        return value if choice else bytearray(value)
    if kind is bytearray:
        return value if choice else bytes(value)
    if kind in (list, tuple):
        items = [_twin(v, draw, memo) for v in value]
        if choice == 0:
            return tuple(items) if kind is list else items
        return items if kind is list else tuple(items)
    if kind is dict:
        items = [(k, _twin(v, draw, memo)) for k, v in value.items()]
        if choice == 0:
            items.reverse()
        return dict(items)
    if kind in (set, frozenset):
        items = list(value)
        if choice == 0:
            items.reverse()
        return kind(items)
    return value


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(values, st.data())
def test_near_twins_hash_apart_exactly_when_a_callee_could_tell(value, data):
    twin = _twin(value, data.draw, {})
    same_hash = hash_value(value) == hash_value(twin)
    same_shape = oracle(value) == oracle(twin)
    assert not same_hash or same_shape, (value, twin)
    if not (needs_pickle(value) or needs_pickle(twin)):
        assert same_hash == same_shape, (value, twin)
    # As whole argument tuples too: small immutable ones take the repr fast path.
    same_call = hash_call_inputs((value, 1), None) == hash_call_inputs((twin, 1), None)
    assert not same_call or same_shape, (value, twin)


def test_hashes_are_stable_across_processes_and_hash_seeds():
    import os
    import subprocess
    import sys
    # Everything but sets of strings (whose iteration order itself follows the seed).
    code = ("from desync.runtime.inputhash import hash_value\n"
            "v = [{'b': 1, 'a': (2.5, -0.0)}, frozenset({3, 1}), {3, 1}, b'z' * 5000, 10**30,"
            " 'text', ('t', None, True)]\n"
            "print(hash_value(v).hex())")
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}, timeout=60).stdout
            for seed in ("0", "1", "2", "3")}
    assert len(outs) == 1 and len(outs.pop().strip()) == 32
