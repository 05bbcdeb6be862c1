# The public function xpbridge generates for `exp` (golden file: see
# tests/test_dispatch_golden.py; refresh with XPBRIDGE_UPDATE_GOLDEN=1).
def exp(x, /):
    _t = x.__class__
    try:
        _f = _ROWS[_t][0]
    except KeyError:
        _f = _new_row(_t)[0]
    try:
        return _f(x)
    except Exception:
        pass
    return _call0((x,))
