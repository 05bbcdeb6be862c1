# The public function xpbridge generates for `fft.fft` (golden file: see
# tests/test_dispatch_golden.py; refresh with XPBRIDGE_UPDATE_GOLDEN=1).
def fft(x, /, **_kw):
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
        return _call0((x, None, _d0_axis, _d0_norm,))
    n = _kw.pop('n', None)
    axis = _kw.pop('axis', _d0_axis)
    norm = _kw.pop('norm', _d0_norm)
    if _kw:
        _unexpected('fft', _kw)
    try:
        _f = _ROWS[_t][2]
    except KeyError:
        _f = _new_row(_t)[2]
    try:
        return _f(x, n=n, axis=axis, norm=norm)
    except _general:
        pass
    except Exception as _exc:
        _reraise(_exc, _t, 'fft.fft')
        raise
    return _call0((x, n, axis, norm,))
