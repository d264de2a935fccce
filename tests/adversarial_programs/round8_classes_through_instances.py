"""Written from the eighth adversarial round (object-oriented code, three ways in).
Run: DESYNC_PACING=0 python tests/adversarial_programs/round8_classes_through_instances.py

A class attribute the body changes by the class's name (``Shared.factor = 5``,
``Shared.items.append(y)``, ``Counter.count += 1``) is read after the change
through an instance (``self.factor``, ``len(self.items)``), through a callee given
the instance (``read_count(self)``), and after a method that changes it through
``type(self)``."""
import os, sys, time  # noqa: E401
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main  # noqa: E402


def slow(x):
    time.sleep(0.002)
    return x


class Shared:
    items = []
    factor = 2
    count = 0

    def bump(self):
        type(self).count += 1
        return self


def read_count(obj):
    return obj.count


def class_attribute_then_instance_read(self, x):
    y = slow(x)
    Shared.factor = 5
    return self.factor * y


def class_list_then_instance_read(self, x):
    y = slow(x)
    Shared.items.append(y)
    return len(self.items)


def method_changing_its_class_then_read(self, x):
    y = slow(x)
    self.bump()
    return self.count + y


def class_counter_then_callee_reads_the_instance(self, x):
    y = slow(x)
    Shared.count += 1
    return read_count(self) + y


def fresh():
    Shared.items, Shared.factor, Shared.count = [], 2, 0
    return (Shared(), 1)


if __name__ == "__main__":
    state = lambda a: (Shared.items, Shared.factor, Shared.count)  # noqa: E731
    main([(class_attribute_then_instance_read, fresh, state),
          (class_list_then_instance_read, fresh, state),
          (method_changing_its_class_then_read, fresh, state),
          (class_counter_then_callee_reads_the_instance, fresh, state)])
