# Zero-argument super() with *args is moved into a lambda: TypeError.
from desync import desync


class Base:
    def __init__(self, *args):
        self.args = args


class Child(Base):
    @desync(cache=False)
    def __init__(self, *args):
        super().__init__(*args)


print(Child(1, 2).args)
