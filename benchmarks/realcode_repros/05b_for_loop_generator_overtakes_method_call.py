# The loop advances a generator of an object past pending method calls on that
# object (argparse.HelpFormatter: _iter_indented_subactions indents, then dedents).
from desync import desync


class Formatter:
    indent = 0

    def indented(self, items):
        self.indent += 2
        yield from items
        self.indent -= 2

    def line(self, item):
        return " " * self.indent + item


@desync(cache=False)
def render(formatter, items):
    out = []
    for item in formatter.indented(items):
        out.append(formatter.line(item))
    return out


print(render(Formatter(), ["a", "b"]))
