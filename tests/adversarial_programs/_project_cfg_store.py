"""A third module: sets ``_project_cfg``'s constants for ``_project_tuning``."""
import _project_cfg


def set_width(width):
    _project_cfg.WIDTH = width
