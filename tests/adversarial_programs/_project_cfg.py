"""Constants of the project that no code of this module changes: other modules'
functions set them (``cfg.DEBUG = args.debug`` in a command-line module), as a
settings module is often used."""
DEBUG = False
LIMIT = 3
LEVEL = "info"
COUNT = 0
NAME = "default"
WIDTH = 2   # (set only through _project_cfg_store)
