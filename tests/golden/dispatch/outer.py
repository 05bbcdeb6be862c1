# The public function xpbridge generates for `outer` (golden file: see
# tests/test_dispatch_golden.py; refresh with XPBRIDGE_UPDATE_GOLDEN=1).
def outer(a, b, /, *, xp=None):
    _t = a.__class__
    if b.__class__ is _t and xp is None:
        try:
            _f = _ROWS[_t][0]
        except KeyError:
            _f = _new_row(_t)[0]
        try:
            return _f(a, b)
        except Exception:
            pass
        return _call0((a, b, xp,))
    return _call0((a, b, xp,))
