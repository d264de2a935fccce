"""The second quarter of state_read_before_a_later_change.py's cases, in a process of
its own so that they run beside the others.
Run: DESYNC_PACING=0 python tests/adversarial_programs/state_read_before_a_later_change_more.py"""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main  # noqa: E402
from state_read_before_a_later_change import CASES, FIRST, HALF  # noqa: E402

if __name__ == "__main__":
    print("cases:", len(CASES[HALF:FIRST]))
    main(CASES[HALF:FIRST])
