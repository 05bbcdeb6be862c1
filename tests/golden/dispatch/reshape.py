# The public function xpbridge generates for `reshape` (golden file: see
# tests/test_dispatch_golden.py; refresh with XPBRIDGE_UPDATE_GOLDEN=1).
def reshape(x, /, shape, *, copy=None):
    _t = x.__class__
    if copy is None:
        try:
            _f = _ROWS[_t][0]
        except KeyError:
            _f = _new_row(_t)[0]
        try:
            return _f(x, shape)
        except Exception:
            pass
        return _call0((x, shape, copy,))
    try:
        _f = _ROWS[_t][2]
    except KeyError:
        _f = _new_row(_t)[2]
    try:
        return _f(x, shape, copy=copy)
    except _general:
        pass
    except Exception as _exc:
        _reraise(_exc, _t, 'reshape')
        raise
    return _call0((x, shape, copy,))
