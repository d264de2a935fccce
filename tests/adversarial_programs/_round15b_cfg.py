"""Constants no code of this module changes (one per case)."""
INST = 3
REG = 3
EXEC = 3
EVAL = 3
RELOAD = 3
BASE = 3
LOCAL = 3
OPTS = {}
DEFAULT = 3
HANDLER = 3
GLOBALS = 3
INSTMOD = 3
CLOSURE_MOD = 3
LAMBDA_DEFAULT = 3
