"""Declarations of the public functions, one module per category of the standard.

Each stub gives a function's signature and docstring; :mod:`xpbridge._dispatch` turns it
into the routed public function. Stubs without a body map to the backend's standard
function of the same name; stubs with an ``xp`` parameter are generic implementations
written once against a standard namespace.
"""
