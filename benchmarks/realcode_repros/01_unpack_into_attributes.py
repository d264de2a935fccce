# Unpacking into attributes stores task objects (fractions: Fraction(2.5)).
from desync import desync


class Box:
    pass


@desync(cache=False)
def split(x):
    box = Box()
    box.num, box.den = x.as_integer_ratio()
    return box.num, box.den


print(split(2.5))
