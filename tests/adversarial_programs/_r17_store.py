"""A module of the seventeenth round: state changed by a function others import by *."""
__all__ = ["add"]
ITEMS = []
LEVEL = 1


def add(x):
    ITEMS.append(x)
