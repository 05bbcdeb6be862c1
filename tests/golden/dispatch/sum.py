# The public function xpbridge generates for `sum` (golden file: see
# tests/test_dispatch_golden.py; refresh with XPBRIDGE_UPDATE_GOLDEN=1).
def sum(x, /, **_kw):
    _t = x.__class__
    if not _kw:
        try:
            _f = _ROWS[_t][0]
        except KeyError:
            _f = _new_row(_t)[0]
        try:
            return _f(x)
        except Exception:
            pass
        return _call0((x, None, None, False,))
    axis = _kw.pop('axis', None)
    dtype = _kw.pop('dtype', None)
    keepdims = _kw.pop('keepdims', False)
    if _kw:
        _unexpected('sum', _kw)
    if dtype is None:
        try:
            _f = _ROWS[_t][3]
        except KeyError:
            _f = _new_row(_t)[3]
        try:
            return _f(x, axis=axis, dtype=dtype, keepdims=keepdims)
        except _general:
            pass
        except Exception as _exc:
            _reraise(_exc, _t, 'sum')
            raise
    try:
        _f = _ROWS[_t][2]
    except KeyError:
        _f = _new_row(_t)[2]
    try:
        return _f(x, axis=axis, dtype=dtype, keepdims=keepdims)
    except _general:
        pass
    except Exception as _exc:
        _reraise(_exc, _t, 'sum')
        raise
    return _call0((x, axis, dtype, keepdims,))
