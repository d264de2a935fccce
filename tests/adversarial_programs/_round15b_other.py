"""Another project module holding state and returning it."""
LOG2 = []


def get_log2():
    return LOG2


def put(s, x):
    s.append(x)
