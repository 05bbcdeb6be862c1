# The public function xpbridge generates for `add` (golden file: see
# tests/test_dispatch_golden.py; refresh with XPBRIDGE_UPDATE_GOLDEN=1).
def add(x1, x2, /):
    _t = x1.__class__
    if x2.__class__ is _t:
        try:
            _r = _ROWS[_t]
        except KeyError:
            _r = _new_row(_t)
        _f = _r[0]
        if _f is None:
            if x1.dtype is not x2.dtype:
                return _call0((x1, x2,))
            _f = _r[1]
        try:
            return _f(x1, x2)
        except Exception:
            pass
        return _call0((x1, x2,))
    if type(x2) in _scalars:
        try:
            _f = _ROWS[_t][4]
        except KeyError:
            _f = _new_row(_t)[4]
        try:
            return _f(x1, x2)
        except _general:
            pass
        except Exception as _exc:
            _reraise(_exc, _t, 'add')
            raise
    if type(x1) in _scalars:
        _t = x2.__class__
        try:
            _f = _ROWS[_t][5]
        except KeyError:
            _f = _new_row(_t)[5]
        try:
            return _f(x1, x2)
        except _general:
            pass
        except Exception as _exc:
            _reraise(_exc, _t, 'add')
            raise
    return _call0((x1, x2,))
