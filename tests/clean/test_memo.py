"""The per-line memo: the function's results, computed once per line, with its memory bounded."""
from newsclean import settings
from newsclean.clean import memo


def counting_memo(monkeypatch, size: int, max_chars: int):
    monkeypatch.setattr(settings, "LINE_CACHE_SIZE", size)
    monkeypatch.setattr(settings, "LINE_CACHE_MAX_CHARS", max_chars)
    calls = []

    @memo.per_line
    def shout(line: str):
        calls.append(line)
        return line.upper() if line != "none" else None

    return shout, calls


def test_a_line_is_computed_once_even_when_its_result_is_none(monkeypatch):
    shout, calls = counting_memo(monkeypatch, size=10, max_chars=100)
    assert [shout(line) for line in ["a", "b", "a", "none", "none", "b"]] == ["A", "B", "A", None, None, "B"]
    assert calls == ["a", "b", "none"]


def test_long_lines_are_not_held_and_a_full_memo_drops_its_least_recent_line(monkeypatch):
    shout, calls = counting_memo(monkeypatch, size=3, max_chars=5)
    long_line = "x" * 6
    assert shout(long_line) == shout(long_line) == long_line.upper() and calls == [long_line, long_line]
    before = memo.lines_held()
    for line in ["a", "b", "c", "a", "d"]:  # "d" finds the memo full: "b" is the least recently used
        shout(line)
    assert memo.lines_held() - before == 3
    calls.clear()
    assert [shout(line) for line in ["a", "d", "b"]] == ["A", "D", "B"] and calls == ["b"]


def test_clear_empties_every_memo(monkeypatch):
    shout, calls = counting_memo(monkeypatch, size=10, max_chars=100)
    shout("a")
    memo.clear()
    assert memo.lines_held() == 0
    shout("a")
    assert calls == ["a", "a"]
