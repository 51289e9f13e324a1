"""Small graphs shared by several test files."""

from autograd import Value


def expression() -> tuple[Value, dict[str, Value]]:
    """micrograd's example: L = (a*b + c) * f, with every node labelled."""
    a, b, c, f = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c"), Value(-2.0, "f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    return L, {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "L": L}
