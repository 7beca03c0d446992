"""Two of the calls lxml makes back into Python during a trafilatura extraction give the same result without Python:
together a measurable share of a page's instructions (docs/benchmarks.md, "Component costs").

- `re:test(@class, 'pattern')`: EXSLT regular expressions are Python's. lxml calls one for every element the XPath
  step reaches, handing it the attribute as a node-set, for which it builds a string and the element's proxy. An
  element without the attribute is the empty string to the test, which a pattern that cannot match '' fails, so
  `((@class) and re:test(string(@class), 'pattern'))` tests the attribute's presence in C first and gives the
  regex the value as a plain string (string() of a node-set is its first node's value, which is what lxml takes).
- Each element proxy lxml.html creates asks a Python class lookup for its class (HtmlElement, or a form class for
  <form>, <input>, <select>, <textarea>, <label>). trafilatura uses nothing of the form classes; a parser with lxml's
  own lookup in C makes every element an HtmlElement.

`fewer_lxml_callbacks` puts the rewritten expressions and that parser in trafilatura's place for the duration of an
extraction and puts the originals back, so other callers of trafilatura in the process get it as shipped. A
rewritten expression selects the same elements as its original on any document: tests/test_lxml_callbacks.py.
"""
from __future__ import annotations

import functools
import importlib
import re
import sys
from contextlib import contextmanager

from lxml import etree, html as lxml_html

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
def _swaps() -> tuple[tuple, ...]:
    """What is put in trafilatura's place: (container, key, original, replacement), for module globals holding an
    XPath, for the lists of XPaths its modules share, and for its HTML parser. Found once, on first use."""
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


@contextmanager
def fewer_lxml_callbacks():
    """trafilatura with the rewritten expressions and the C-lookup parser, for the duration of the block. Concurrent
    or nested use can only put the originals back early: the same results, more slowly."""
    swaps = _swaps()
    for container, key, _, replacement in swaps:
        container[key] = replacement
    try:
        yield
    finally:
        for container, key, original, _ in swaps:
            container[key] = original
