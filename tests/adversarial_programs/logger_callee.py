"""Written by an adversarial tester (callbacks and effects desync must see).
Run: DESYNC_PACING=0 python tests/adversarial_programs/logger_callee.py"""
import sys, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import concurrent.futures, contextlib, io, random, threading, time  # noqa: F401,E401
from desync import desync  # noqa: F401,E402
from _harness import check, first, main, slow, to_stdout  # noqa: F401,E402

# A callee that logs through a module-level logger (logger = logging.getLogger(...)) or
# logging.getLogger(name).info(...) is not ordered with the body's prints (handler writes to stdout)
import logging

logger = logging.getLogger("adv2.fail")
to_stdout(logger)

def uses_logger(v):
    logger.info("ul %s", v)
    return v

def uses_get_logger(v):
    logging.getLogger("adv2.fail").info("gl %s", v)
    return v

def callee_logger():
    a = slow(1)
    print("first", a)
    return uses_logger(2)

def callee_get_logger():
    a = slow(1)
    print("first", a)
    return uses_get_logger(2)

def key_logger():
    a = slow(1)
    print("first", a)
    return sorted([2, 1], key=uses_logger)

if __name__ == "__main__":
    main([callee_logger, callee_get_logger, key_logger])
