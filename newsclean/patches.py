"""Every change newsclean makes to a third-party library, in one module, fenced.

Each patch names the package it changes and the versions it was tested against: outside that range the package runs
as shipped and one log line says so. NEWSCLEAN_PATCHES=none turns every patch off, a list of names applies only
those (settings.PATCHES). A swap is reference-counted under a lock: the first user puts the replacements in, the
last one puts the originals back, so overlapping use (threads, nesting) never leaves a replacement installed. The output is the same with and without
them (tests/test_patches.py); what each buys is measured by `python -m bench.patches` (docs/benchmarks.md).

- trafilatura_xpath: trafilatura's `re:test(@class, ...)` XPath tests run in Python for every element a step reaches;
  `((@class) and re:test(string(@class), ...))` tests the attribute's presence in C first (a pattern that cannot match
  '' fails without the attribute anyway), and a copy of its HTML parser looks element classes up in C (lxml.html's
  Python lookup only picks form classes trafilatura never uses).
- great_expectations_imports: scipy.stats and altair, which Great Expectations imports for expectations and charts
  our suite and report never use, are imported at their first use instead (a stand-in in sys.modules).
"""
from __future__ import annotations

import functools
import importlib
import importlib.util
import logging
import re
import sys
import threading
import types
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Callable

from lxml import etree, html as lxml_html

from newsclean import settings

log = logging.getLogger("newsclean.patches")


@dataclass(frozen=True)
class Patch:
    name: str
    package: str  # the distribution it changes
    tested: tuple[str, str]  # [lowest, below) versions it was tested against
    swaps: Callable[[], tuple[tuple, ...]]  # (container, key, original, replacement), found once


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


@functools.cache
def enabled(patch: Patch) -> bool:
    """Whether the patch applies here: switched on, and the installed version is one it was tested against."""
    if settings.PATCHES not in ("all", "1") and patch.name not in {name.strip() for name in settings.PATCHES.split(",")}:
        return False
    try:
        installed = version(patch.package)
    except PackageNotFoundError:
        return False
    low, high = patch.tested
    if not _version_tuple(low) <= _version_tuple(installed) < _version_tuple(high):
        log.warning("newsclean: %s %s is outside the versions patch %s was tested with (>=%s,<%s): running it as shipped",
                    patch.package, installed, patch.name, low, high)
        return False
    return True


_SWAP_LOCK = threading.Lock()
_users: dict[str, int] = {}


@contextmanager
def applied(*patches: Patch):
    """The patches' replacements in place for the block (those enabled here), the originals back after its last user."""
    active = [patch for patch in patches if enabled(patch)]
    with _SWAP_LOCK:
        for patch in active:
            if _users.get(patch.name, 0) == 0:
                for container, key, _, replacement in patch.swaps():
                    container[key] = replacement
            _users[patch.name] = _users.get(patch.name, 0) + 1
    try:
        yield
    finally:
        with _SWAP_LOCK:
            for patch in active:
                _users[patch.name] -= 1
                if _users[patch.name] == 0:
                    for container, key, original, _ in patch.swaps():
                        container[key] = original


# --- trafilatura_xpath -------------------------------------------------------------------------------------------
REGEXP_NS = "http://exslt.org/regular-expressions"  # lxml binds the `re` prefix to it by default
_ATTRIBUTES = re.compile(r"@[\w.:-]+(?:\s*\|\s*@[\w.:-]+)*")  # `@class`, `@id|@class`: a node-set of attributes


def _string_literal(argument: str) -> str | None:
    """The value of an XPath string literal ('...' or "..."), or None when the argument is not one."""
    argument = argument.strip()
    if len(argument) >= 2 and argument[0] == argument[-1] and argument[0] in "'\"" and argument[0] not in argument[1:-1]:
        return argument[1:-1]
    return None


def _outside_literals(path: str, start: int):
    """The positions from `start` on that are not inside an XPath string literal ('...' or "...")."""
    quote = None
    for index in range(start, len(path)):
        character = path[index]
        if quote:
            quote = None if character == quote else quote
        elif character in "'\"":
            quote = character
        else:
            yield index


def _call_arguments(path: str, start: int) -> tuple[int, list[str]] | None:
    """From just inside a function call's '(' at `start`: the index after its ')' and its top-level arguments."""
    depth, arguments, argument_start = 1, [], start
    for index in _outside_literals(path, start):
        character = path[index]
        if character in "([":
            depth += 1
        elif character in ")]":
            depth -= 1
            if depth == 0:
                return index + 1, arguments + [path[argument_start:index]]
        elif character == "," and depth == 1:
            arguments.append(path[argument_start:index])
            argument_start = index + 1
    return None


def _guarded_test(arguments: list[str]) -> str | None:
    """`re:test(arguments)` with its attribute's presence tested first, or None where that would change it."""
    if len(arguments) not in (2, 3):
        return None
    subject, pattern = arguments[0].strip(), _string_literal(arguments[1])
    flags = _string_literal(arguments[2]) if len(arguments) == 3 else ""
    if pattern is None or flags is None or not _ATTRIBUTES.fullmatch(subject):
        return None
    try:  # as lxml compiles it: only the `i` flag counts for a test
        matches_empty = re.compile(pattern, re.IGNORECASE if "i" in flags else 0).search("") is not None
    except re.error:
        return None
    if matches_empty:  # true without the attribute too
        return None
    return f"(({subject}) and re:test(string({subject}),{','.join(arguments[1:])}))"


def rewrite(path: str) -> str:
    """The XPath expression with each `re:test` over attributes guarded by the attributes' presence."""
    pieces, position = [], 0
    for index in _outside_literals(path, 0):
        if index < position:  # inside a call already rewritten
            continue
        if path.startswith("re:test(", index) and (index == 0 or not (path[index - 1].isalnum() or path[index - 1] in "_-:.")):
            call = _call_arguments(path, index + len("re:test("))
            guarded = _guarded_test(call[1]) if call else None
            if guarded is not None:
                pieces += [path[position:index], guarded]
                position = call[0]
    return "".join(pieces) + path[position:]


def _rewritten(expression: etree.XPath) -> etree.XPath | None:
    path = rewrite(expression.path) if "re:test(" in expression.path else expression.path
    if path == expression.path:
        return None
    try:
        return etree.XPath(path, namespaces={"re": REGEXP_NS})
    except etree.XPathSyntaxError:  # pragma: no cover - a construct the rewrite did not foresee: keep the original
        return None


def _html_parser_with_c_lookup(parser: lxml_html.HTMLParser) -> lxml_html.HTMLParser:
    """A copy of the parser (the same options) whose elements are all HtmlElement, looked up in C."""
    fast = parser.copy()
    fast.set_element_class_lookup(etree.ElementDefaultClassLookup(
        element=lxml_html.HtmlElement, comment=lxml_html.HtmlComment, pi=lxml_html.HtmlProcessingInstruction,
        entity=lxml_html.HtmlEntity))
    return fast


@functools.cache
def _xpath_swaps() -> tuple[tuple, ...]:
    """Module globals holding an XPath, the lists of XPaths trafilatura's modules share, and its HTML parser."""
    importlib.import_module("trafilatura")  # its modules hold the expressions
    swaps, seen_lists, replacements = [], set(), {}

    def replacement(expression: etree.XPath) -> etree.XPath | None:
        if id(expression) not in replacements:
            replacements[id(expression)] = (expression, _rewritten(expression))  # the original kept alive with its id
        return replacements[id(expression)][1]

    for name, module in list(sys.modules.items()):
        if module is None or not (name == "trafilatura" or name.startswith("trafilatura.")):
            continue
        namespace = vars(module)
        for key, value in list(namespace.items()):
            if isinstance(value, etree.XPath) and (rewritten := replacement(value)) is not None:
                swaps.append((namespace, key, value, rewritten))
            elif isinstance(value, list) and value and id(value) not in seen_lists and all(isinstance(item, etree.XPath) for item in value):
                seen_lists.add(id(value))
                swaps += [(value, position, item, rewritten) for position, item in enumerate(value)
                          if (rewritten := replacement(item)) is not None]
    utils = sys.modules.get("trafilatura.utils")  # where load_html finds its parser (elsewhere: no swap)
    parser = getattr(utils, "HTML_PARSER", None)
    if isinstance(parser, lxml_html.HTMLParser):
        swaps.append((vars(utils), "HTML_PARSER", parser, _html_parser_with_c_lookup(parser)))
    return tuple(swaps)


TRAFILATURA_XPATH = Patch("trafilatura_xpath", "trafilatura", ("2.3", "2.4"), _xpath_swaps)
TRAFILATURA = (TRAFILATURA_XPATH,)


# --- great_expectations_imports ----------------------------------------------------------------------------------

GREAT_EXPECTATIONS_UNUSED = ("scipy.stats", "altair")
GREAT_EXPECTATIONS_IMPORTS = Patch("great_expectations_imports", "great_expectations", ("1.24", "1.25"), lambda: ())


def defer_unused_great_expectations_imports() -> None:
    """Before Great Expectations' import: its imports our checks and report never use wait for a first use."""
    if enabled(GREAT_EXPECTATIONS_IMPORTS):
        for name in GREAT_EXPECTATIONS_UNUSED:
            defer(name)


_DEFER_LOCK = threading.RLock()  # re-entered if the real import itself reads a stand-in


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
    with _DEFER_LOCK:
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
