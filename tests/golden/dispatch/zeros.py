# The public function xpbridge generates for `zeros` (golden file: see
# tests/test_dispatch_golden.py; refresh with XPBRIDGE_UPDATE_GOLDEN=1).
def zeros(shape, *, dtype=None, device=None, backend=None, like=None):
    return _call0((shape, dtype, device, backend, like,))
