"""Constants no code of this module changes (one per Rule B case)."""
MODDICT = 3
GETTER = 3
NAMEARG = 3
PARTIAL = 3
PROP = 3
VARS = 3
DUNDER_DICT = 3
DICT_UPDATE = 3
SYSMOD = 3
KEYCONST = 3
DUNDER_SETATTR = 3
