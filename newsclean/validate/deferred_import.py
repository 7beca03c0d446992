"""Modules imported at their first use instead of by whoever names them. A deferred module is a stand-in in
sys.modules that imports the real one the first time any of its attributes is read, and then answers for it."""
from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types

_LOCK = threading.RLock()  # re-entered if the real import itself reads a stand-in
# What Great Expectations imports at its own import for expectations and renderings our suite and report do not have,
# a large share of that import (docs/benchmarks.md): scipy.stats (its KL-divergence and KS-test expectations) and
# altair (charts).
GREAT_EXPECTATIONS_UNUSED = ("scipy.stats", "altair")


class DeferredModule(types.ModuleType):
    """Stands for the module `name` until an attribute is read. Its __spec__ is the real module's: the import
    statement reads it (is the module still initialising?) and must not trigger the import."""

    def __init__(self, name: str, spec) -> None:
        super().__init__(name)
        self.__spec__ = spec
        self.__loader__ = spec.loader

    def __getattr__(self, attribute: str):  # only for attributes the stand-in lacks: everything but its name and spec
        return getattr(_real_module(self), attribute)


def _real_module(stand_in: DeferredModule) -> types.ModuleType:
    name = stand_in.__name__
    with _LOCK:
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]  # the import below finds no stand-in and imports the real module
            try:
                real = importlib.import_module(name)
            except BaseException:
                sys.modules[name] = stand_in  # the next use tries again and fails the same way, loudly
                raise
            parent, _, child = name.rpartition(".")
            if parent in sys.modules:
                setattr(sys.modules[parent], child, real)
        return sys.modules[name]


def defer(name: str) -> None:
    """Put a stand-in for module `name` in sys.modules, unless the module is imported already or not installed."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)  # imports the parent package (scipy itself is light)
    if spec is None or name in sys.modules:
        return
    sys.modules[name] = DeferredModule(name, spec)
