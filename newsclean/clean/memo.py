"""A bounded memo for pure functions of one line: a site's furniture (menus, share bars, footers) and syndicated copy
recur word for word across its pages, and a worker cleans a shard of one source at a time, so the same lines come back."""
from __future__ import annotations

from functools import lru_cache, wraps
from typing import Callable, TypeVar

from newsclean import settings

T = TypeVar("T")
_MEMOS: list = []


def per_line(function: Callable[[str], T]) -> Callable[[str], T]:
    """`function` memoised for the last settings.LINE_CACHE_SIZE distinct lines of at most LINE_CACHE_MAX_CHARS
    characters (a longer line is computed every time: the memo's memory stays bounded). Its results must be
    immutable: they are shared by every caller."""
    cached = lru_cache(maxsize=settings.LINE_CACHE_SIZE)(function)
    limit = settings.LINE_CACHE_MAX_CHARS

    @wraps(function)
    def memoised(line: str) -> T:
        return cached(line) if len(line) <= limit else function(line)

    memoised.cache_info = cached.cache_info  # type: ignore[attr-defined]
    memoised.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
    _MEMOS.append(cached)
    return memoised


def lines_held() -> int:
    """How many lines the memos hold now, all together."""
    return sum(cached.cache_info().currsize for cached in _MEMOS)


def clear() -> None:
    """Empty every memo (a batch starts with none, as in a fresh worker process)."""
    for cached in _MEMOS:
        cached.cache_clear()
