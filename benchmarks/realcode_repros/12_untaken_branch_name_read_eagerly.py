# A name read only in the branch a conditional expression does not take is read
# anyway: UnboundLocalError (statistics.linear_regression(..., proportional=True)).
from desync import desync


@desync(cache=False)
def intercept(proportional, y):
    if not proportional:
        ybar = sum(y) / len(y)
    value = 0.0 if proportional else ybar * 2
    return value


print(intercept(True, [1, 2]))
