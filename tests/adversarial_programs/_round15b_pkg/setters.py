import time
from . import cfg


def via_relative(v):
    time.sleep(0.03)
    cfg.PKG = v


def via_local_relative(v):
    time.sleep(0.03)
    from . import cfg as c
    c.PKGLOCAL = v
