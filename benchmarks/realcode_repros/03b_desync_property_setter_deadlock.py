# A property setter that is a desync function, assigned from a desync body
# (calendar.Calendar.__init__ -> firstweekday setter): a hang at import.
from desync import desync


class Calendar:
    @desync(cache=False)
    def __init__(self, first=0):
        self.first = first

    @property
    def first(self):
        return self._first

    @first.setter
    @desync(cache=False)
    def first(self, value):
        self._first = value % 7


print(Calendar(9).first)
