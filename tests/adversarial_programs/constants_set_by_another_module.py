"""A module of constants that no code of its own changes, set by another module's
functions (``cfg.DEBUG = args.debug`` in a command-line module, ``setattr(conf,
"LEVEL", v)``, ``cfg.COUNT += 1``): the body's reads of them after such a call see
what it set. desync judged these names stable from the constants module's source
alone, so the reads did not wait: ``apply(True, 7)`` then ``cfg.DEBUG`` read False.
Run: DESYNC_PACING=0 python tests/adversarial_programs/constants_set_by_another_module.py"""
import sys, os, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main  # noqa: E402
import _project_cfg as cfg  # noqa: E402
import _project_cfg  # noqa: E402
import _project_tuning as tuning  # noqa: E402
from _project_tuning import apply, tick  # noqa: E402


def _fresh():
    cfg.DEBUG, cfg.LIMIT, cfg.LEVEL, cfg.COUNT, cfg.NAME = False, 3, "info", 0, "default"
    cfg.WIDTH = 2
    return ()


def work(x):
    time.sleep(0.003 * (4 - x % 4))
    return x


def set_then_read():
    first = work(1)
    apply(True, 7)
    return [first, cfg.DEBUG, cfg.LIMIT]


def set_then_loop_to_the_limit():
    apply(False, 5)
    return [work(i) for i in range(cfg.LIMIT)]


def read_before_and_after():
    before = [cfg.DEBUG, cfg.LIMIT]
    apply(True, 2)
    after = [cfg.DEBUG, cfg.LIMIT]
    for i in range(cfg.LIMIT):
        after.append(work(i))
    return before, after


def set_with_setattr_then_read():
    level = cfg.LEVEL
    tuning.set_level("debug")
    return level, cfg.LEVEL, _project_cfg.LEVEL


def counted_in_a_loop():
    out = []
    for x in range(4):
        out.append(work(x) + cfg.COUNT)
        tick()
    return out, cfg.COUNT


def set_as_a_tuple():
    tuning.rename("edited")
    return f"{cfg.NAME}:{cfg.LEVEL}"


def set_by_a_helper_it_calls():
    tuning.apply_through_a_helper(6)
    return cfg.LIMIT


def set_by_a_function_of_a_third_module():
    before = cfg.WIDTH
    tuning.widen_through_another_module(5)
    return before, [work(i) for i in range(cfg.WIDTH)]


def read_under_the_other_name():
    apply(True, 4)
    if _project_cfg.DEBUG:
        return [work(i) for i in range(_project_cfg.LIMIT)]
    return None


CASES = [(f, _fresh) for f in (
    set_then_read, set_then_loop_to_the_limit, read_before_and_after,
    set_with_setattr_then_read, counted_in_a_loop, set_as_a_tuple, set_by_a_helper_it_calls,
    set_by_a_function_of_a_third_module, read_under_the_other_name)]

if __name__ == "__main__":
    print("cases:", len(CASES))
    main(CASES)
