"""Written from the fourth adversarial round (the engine's control flow).
Run: DESYNC_PACING=0 python tests/adversarial_programs/handlers_keep_their_bindings.py

What a handler, an else clause or a finally clause binds stands: locals are put
back as they were at a failure once, where the failure is handled, and never over
what the handler's own code then bound (an assignment expression, a match capture,
a del, ``except ... as``)."""
import contextlib, sys, os  # noqa: E401
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import main, slow  # noqa: E402


def boom(x):
    raise ValueError(f"boom {x}")


def walrus_in_a_handler():
    try:
        v = slow(1)
        boom(v)
    except ValueError:
        if (v := slow(5)):
            pass
    finally:
        print(v)
    return v


def match_capture_in_a_handler():
    try:
        v = slow(1)
        boom(v)
    except ValueError:
        match slow(7):
            case v:
                pass
    finally:
        print(v)
    return v


def del_in_an_else():
    try:
        v = slow(1)
    except ValueError:
        pass
    else:
        del v
    finally:
        try:
            print(v)
        except NameError:
            print("unbound")


def except_as_a_name_bound_before():
    e = slow("outer")
    try:
        boom(1)
    except ValueError as e:
        print(str(e))
    finally:
        try:
            print(e)
        except NameError:
            print("unbound")


def walrus_in_a_finally_inside_a_with():
    v = 0
    with contextlib.nullcontext():
        try:
            pass
        finally:
            if (v := slow(7)):
                pass
    return v


def inner_handler_binding_survives_the_outer_finally():
    v = 0
    try:
        try:
            v = slow(1)
            boom(v)
        except ValueError:
            if (v := slow(5)):
                pass
    finally:
        print("outer finally", v)
    return v


def values_bound_ahead_are_put_back_by_an_outer_handler():
    a = b = None
    try:
        try:
            a = boom(slow(1))
            b = slow(2)   # issued ahead of the failure: plain never binds it
        finally:
            print("inner finally")
    except ValueError:
        pass
    return a, b


if __name__ == "__main__":
    main([walrus_in_a_handler, match_capture_in_a_handler, del_in_an_else,
          except_as_a_name_bound_before, walrus_in_a_finally_inside_a_with,
          inner_handler_binding_survives_the_outer_finally,
          values_bound_ahead_are_put_back_by_an_outer_handler])
