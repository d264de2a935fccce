import time
import _round15b_cfg as cfg


class Base:
    def set_base(self, v):
        time.sleep(0.03)
        cfg.BASE = v
