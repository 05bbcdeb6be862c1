# The public function xpbridge generates for `astype` (golden file: see
# tests/test_dispatch_golden.py; refresh with XPBRIDGE_UPDATE_GOLDEN=1).
def astype(x, dtype, /, *, copy=True, device=None):
    _t = x.__class__
    if copy is True and device is None:
        try:
            _f = _ROWS[_t][0]
        except KeyError:
            _f = _new_row(_t)[0]
        try:
            return _f(x, dtype)
        except Exception:
            pass
        return _call0((x, dtype, copy, device,))
    if dtype is None and device is None:
        try:
            _f = _ROWS[_t][3]
        except KeyError:
            _f = _new_row(_t)[3]
        try:
            return _f(x, dtype, copy=copy, device=device)
        except _general:
            pass
        except Exception as _exc:
            _reraise(_exc, _t, 'astype')
            raise
    try:
        _f = _ROWS[_t][2]
    except KeyError:
        _f = _new_row(_t)[2]
    try:
        return _f(x, dtype, copy=copy, device=device)
    except _general:
        pass
    except Exception as _exc:
        _reraise(_exc, _t, 'astype')
        raise
    return _call0((x, dtype, copy, device,))
