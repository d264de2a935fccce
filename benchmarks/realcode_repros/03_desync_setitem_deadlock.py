# A store that runs a desync function (a desync __setitem__) never finishes.
from desync import desync


class Table:
    def __init__(self):
        self.data = {}

    @desync(cache=False)
    def __setitem__(self, key, value):
        self.data[key] = value


@desync(cache=False)
def fill():
    table = Table()
    table["k"] = 1
    return table.data


print(fill())
