"""The second half of state_read_before_a_later_change.py's cases (reads made by code
run later: lambdas, nested defs, steps; loops over module state; changes by helpers and
through other names), in a process of its own so that the two halves run together.
Run: DESYNC_PACING=0 python tests/adversarial_programs/state_read_by_code_run_later.py"""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main  # noqa: E402
from state_read_before_a_later_change import CASES, FIRST  # noqa: E402

if __name__ == "__main__":
    print("cases:", len(CASES[FIRST:]))
    main(CASES[FIRST:])
