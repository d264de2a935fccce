"""Module-level state another module's desync function reaches (round 11)."""
import threading
import time

LOCK = threading.RLock()
EVENT = threading.Event()


def waits_for_the_event():
    return EVENT.wait(0.05)


def sets_the_event():
    time.sleep(0.005)
    EVENT.set()
