"""Metadata of articles.

Plain text: recognisers for the metadata lines at the top of an article (section label, title, dek, date, byline),
each a small predicate or parser over one normalised line; `text.py` decides, by position, which line is which.

HTML pages (page_metadata, called by html.py): the title (the page's headline), the authors and the publication date,
chosen among the candidates of the page's sources (JSON-LD, meta tags, h1 headings, bylines, <time>, trafilatura's
own metadata) by an order per field (see the section below).
"""
from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from dataclasses import dataclass, field

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
            ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
            ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE_FORMS = (
    re.compile(r"(?P<y>(?:19|20)\d\d)-(?P<m>\d\d)-(?P<d>\d\d)(?:[T ]\d\d:\d\d(?::\d\d)?(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?)?"),
    re.compile(rf"(?P<mon>{_MONTH})\.? (?P<d>\d{{1,2}})(?:st|nd|rd|th)?,? (?P<y>(?:19|20)\d\d)", re.IGNORECASE),
    re.compile(rf"(?P<d>\d{{1,2}})(?:st|nd|rd|th)? (?P<mon>{_MONTH})\.?,? (?P<y>(?:19|20)\d\d)", re.IGNORECASE),
)
# What may surround a date on a dateline: a verb, a weekday, a time, a zone. Anything more and it is prose.
_DATELINE_FILLER = re.compile(
    r"\b(published|posted|updated|last updated|first published|modified|date|on|at|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun|"
    r"am|pm|a\.m\.|p\.m\.|gmt|utc|[a-z]{1,2}t|ist|pkt|cet|cest|bst)\b|\d{1,2}:\d\d(:\d\d)?|[|,:.\-–—•·()]",
    re.IGNORECASE,
)
_DATELINE_MAX_WORDS, _DATELINE_MAX_CHARS = 12, 120
_DIGIT = re.compile(r"\d")  # every date form has one (a form without must drop this): most lines skip the searches
_BULLET = re.compile(r"^[-•–—*·▪►◦]\s+")
_BYLINE = re.compile(r"^by\s+(?P<names>[^\d|]{2,120}?)(?:\s*[|,–—-]\s*(?:staff|correspondent|reporter|editor|updated|published).*)?$",
                     re.IGNORECASE)
_NAME_SPLIT = re.compile(r"\s*(?:,|\band\b|&)\s*", re.IGNORECASE)
_TERMINAL = (".", ";", ",", ":")  # a line ending so continues into the next: prose or a list's lead-in
TITLE_MIN_WORDS, TITLE_MAX_WORDS, TITLE_MAX_CHARS = 2, 24, 250  # headlines are short, but rarely a single word
# A headline is one sentence: "?" or "!", or a full stop after a lower-case word, then a capital starts a second one
# ("... its advertiser. All opinions ..."); "Mr. Smith", "Gov. Newsom" and "L.A. Auto Show" are not such stops.
_SECOND_SENTENCE = re.compile(r"(?:[^\W\d_][?!]|(?<![^\W\d_])[^\W\d_A-Z][^\W\d_]{2,}\.)\s+[\"“‘'(]?[^\W\d_]")
_LINK = re.compile(r"https?://|www\.|\S@\S+\.\w")  # a headline names no web or mail address
# A wire dateline opens an article's first paragraph: "HAYWARD, Calif. (AP) — ...".
_WIRE_LEAD = re.compile(r"^[^\W\d_][^()]{1,60}\((?:AP|AFP|Reuters|dpa|UPI|PA|ANSA|EFE|IANS|PTI)\)\s*[—–-]")
LABEL_MAX_WORDS, LABEL_MAX_CHARS = 5, 40  # a section label ("Pakistan", "POLITICS & POLICY MAKING")


def _build_date(match: re.Match) -> dt.date | None:
    parts = match.groupdict()
    month = int(parts["m"]) if parts.get("m") else _MONTHS[parts["mon"].lower()]
    try:
        return dt.date(int(parts["y"]), month, int(parts["d"]))
    except ValueError:
        return None


def find_date(text: str) -> dt.date | None:
    """First unambiguous calendar date in the text (ISO, 'April 13, 2022', '13 April 2022')."""
    for form in _DATE_FORMS:
        match = form.search(text)
        if match:
            return _build_date(match)
    return None


def parse_dateline(line: str) -> dt.date | None:
    """The date of a line that is only a dateline ('Published April 13, 2022', '2024-09-04 10:30 GMT'), else None."""
    if len(line) > _DATELINE_MAX_CHARS or len(line.split()) > _DATELINE_MAX_WORDS or _DIGIT.search(line) is None:
        return None
    for form in _DATE_FORMS:
        match = form.search(line)
        if match:
            rest = _DATELINE_FILLER.sub(" ", line[: match.start()] + " " + line[match.end() :])
            return _build_date(match) if not rest.strip() else None
    return None


def is_bulleted(line: str) -> bool:
    return _BULLET.match(line) is not None


def strip_bullet(line: str) -> str:
    return _BULLET.sub("", line, count=1)


def is_title_like(line: str) -> bool:
    if len(line) > TITLE_MAX_CHARS:  # before its words are counted: most lines asked about are paragraphs
        return False
    words = len(line.split())
    return (
        TITLE_MIN_WORDS <= words <= TITLE_MAX_WORDS
        and not line.endswith(_TERMINAL)
        and not is_bulleted(line)
        and parse_dateline(line) is None
        and not _starts_second_sentence(line)
        and _WIRE_LEAD.match(line) is None
        and _LINK.search(line) is None
        and not (line.isupper() and "," in line and len(line.split()) <= 4)  # "BAAR, SWITZERLAND": a dateline's place
    )


def _starts_second_sentence(line: str) -> bool:
    if "." not in line and "?" not in line and "!" not in line:  # every match holds one: most headlines skip the scan
        return False
    return any(match.group()[-1].isupper() for match in _SECOND_SENTENCE.finditer(line))


def is_section_label(line: str) -> bool:
    return (
        len(line) <= LABEL_MAX_CHARS  # first: a paragraph's words need not be counted
        and len(line.split()) <= LABEL_MAX_WORDS
        and not line.endswith((".", "!", "?", ":", ";", ","))
        and not is_bulleted(line)
        and parse_dateline(line) is None
    )


def parse_byline(line: str) -> list[str] | None:
    """Author names of a 'By Jane Doe and John Roe' line, else None."""
    match = _BYLINE.match(line)
    if not match or len(line.split()) > 12:
        return None
    names = [name.strip(" .") for name in _NAME_SPLIT.split(match["names"]) if name.strip(" .")]
    # Names are capitalised words; "by the time we arrived ..." is prose.
    if not names or not all(name[:1].isupper() and len(name.split()) <= 4 for name in names):
        return None
    return names


# --- HTML pages: title, authors and publication date --------------------------------------------------------------
# Each source of the page (JSON-LD, meta tags, headings, bylines, <time>, trafilatura's own metadata) gives at most one
# candidate per field; a field's value is the first candidate in that field's order (TITLE_ORDER, AUTHOR_ORDER,
# DATE_ORDER) that the page has. The orders are data, chosen by 5-fold cross-validation grouped by domain on the
# WCXB development pages (bench.metadata prints the out-of-fold figures; an author order also pays for the authors it
# gives where the page has none).

# schema.org types whose headline/author/datePublished are the page's own (not a breadcrumb's, not the publisher's)
_ARTICLE_TYPES = frozenset(
    "article newsarticle blogposting reportagenewsarticle analysisnewsarticle opinionnewsarticle reviewnewsarticle "
    "backgroundnewsarticle techarticle scholarlyarticle socialmediaposting liveblogposting report review "
    "webpage itempage aboutpage faqpage qapage medicalwebpage collectionpage howto recipe posting "
    "discussionforumposting".split()
)
_META_TITLE = ("og:title", "twitter:title", "title", "parsely-title", "sailthru.title", "dc.title", "dcterms.title")
_META_AUTHOR = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "dcterms.creator",
                "cxenseparse:author", "byl", "creator", "og:article:author", "citation_author")
_META_DATE = ("article:published_time", "og:article:published_time", "og:published_time", "published_time",
              "datepublished", "date", "pubdate", "publishdate", "publish-date", "publish_date", "og:publish_date",
              "parsely-pub-date", "sailthru.date", "cxenseparse:publishtime", "dc.date", "dc.date.issued",
              "dcterms.created", "dcterms.issued", "citation_publication_date", "date-pub", "published")
_META_MODIFIED = ("article:modified_time", "og:updated_time", "datemodified", "last-modified", "dcterms.modified")
_META_SOURCES = ((_META_AUTHOR, "authors", "meta_author"), (_META_DATE, "date", "meta_published"),
                 (_META_MODIFIED, "date", "meta_modified"))
# What separates a <title>'s headline from the site's name ("Headline | Site", "Site - Headline")
_TITLE_SEPARATOR = re.compile(r"\s+[|\-–—:·•»«/]{1,2}\s+|\s*[|•»«·]\s*")
_SITE_TITLE_MAX_WORDS = 5  # the site-name part of a <title> is short; a longer last part is the headline's own
_BY_PREFIX = re.compile(r"^\s*(?:(?:written|posted|reviewed|published|edited|authored|story|words|text|article)\s+|"
                        r"(?:view|see|read|more)\s+(?:all\s+)?(?:posts|articles|stories)\s+)?"
                        r"(?:by|from|author|authors|contributors?|von|par|por|di|door)\b\s*[:\-–—]?\s*(?=\w)", re.IGNORECASE)
_LIST_SPLIT = re.compile(r"\s*[;|\n]\s*")
_AND_SPLIT = re.compile(r"\s*(?:,?\s+and\b|&|\bund\b|\bet\b|\by\b)\s*", re.IGNORECASE)
# A comma-separated part that is a credential or suffix ("Jane Doe, MS, RD", "John Roe, Jr.") stays with the name
_CREDENTIAL_WORD = r"(?:(?:[A-Z]\.?){1,6}|[A-Z][a-z]?[A-Z][A-Za-z]{0,3}|Ph\.?\s?D\.?|Jr\.?|Sr\.?|Esq\.?)[®™]?"
_CREDENTIAL = re.compile(rf"^{_CREDENTIAL_WORD}(?:\s+{_CREDENTIAL_WORD})*$")
# Words that alone are a role, not a name ("Staff", "Admin", "Editorial Team"): a name made only of them is dropped
_ROLE_WORDS = frozenset(
    "staff admin administrator editor editors editorial team contributor contributors guest author authors writer "
    "writers newsroom desk reporter reporters correspondent by the our and web online site news wire user written "
    "posted updated published reviewed "
    "unknown anonymous redaction redaktion "
    "name undefined null none".split()  # a template's placeholder ("Name *", "undefined") is no name either
)
# A job title after a comma ("Tracy Parker, Dietitian", "Mayank Gupta, CEO of Acme") stays with the name, as a
# credential does: it is not a second author
_JOB_TITLE_WORDS = frozenset(
    "expert dietitian nutritionist editor writer ceo cto cfo coo founder co-founder cofounder director manager "
    "reporter correspondent journalist contributor columnist educator attorney lawyer specialist consultant analyst "
    "strategist president officer engineer developer designer coach trainer therapist physician nurse pharmacist "
    "reviewer "
    "researcher scientist professor teacher instructor advisor adviser planner marketer".split()
)
AUTHOR_MAX_WORDS, AUTHOR_MAX_CHARS = 6, 60  # longer "names" are sentences or bios
HEADLINE_MAX_WORDS = 40
_URL_OR_MAIL = re.compile(r"https?://|www\.|\S@\S|^@|\.(?:com|org|net)\b", re.IGNORECASE)
_ISO_DATE = re.compile(r"((?:19|20)\d\d)[-/.](\d\d?)[-/.](\d\d?)(?!\d)")
_COMPACT_DATE = re.compile(r"^((?:19|20)\d\d)(\d\d)(\d\d)(?:\D|$)")


def _folded(text: str | None) -> str:
    return " ".join((text or "").casefold().split())


def _clean_text(text: str | None) -> str:
    return " ".join((text or "").split())


def iso_date(value: str | None) -> str | None:
    """An ISO date (YYYY-MM-DD) of a date as pages write it: ISO with or without time ('2024-12-08T23:00:00-05:00'
    is the 8th: the page's own calendar day), '2024/12/08', '20241208', 'December 8, 2024', '8 Dec 2024'."""
    value = _clean_text(value)
    if not value:
        return None
    match = _ISO_DATE.search(value[:40]) or _COMPACT_DATE.match(value)
    found = None
    if match:
        try:
            found = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            found = None
    if found is None:
        found = find_date(value[:80])
    if found is None or not 1990 <= found.year <= dt.date.today().year + 1:
        return None
    return found.isoformat()


def normalized_title(text: str) -> str:
    """A title as one line: entities a page escaped twice decoded, whitespace collapsed. Its characters stay the
    page's (typographic quotes, ellipses): the body's copy of the headline is found by them (text.finish)."""
    return _clean_text(html_lib.unescape(text) if "&" in text else text)


def _name_like(text: str) -> bool:
    """Every word capitalised (or an initial): a person's name, not "Center for Drug Evaluation"."""
    words = text.split()
    return bool(words) and all(word[:1].isupper() or not word[:1].isalpha() for word in words)


def _split_names(text: str) -> list[str]:
    """"A; B", "A | B" always; "A and B", "A & B" only where both sides look like names and the second is no job title
    ("Jane Doe, Home and Garden Expert")."""
    names = []
    for chunk in _LIST_SPLIT.split(text):
        parts = _AND_SPLIT.split(chunk)
        names += parts if (all(_name_like(part.strip(" ,")) for part in parts)
                           and not any(_is_job_title(part) for part in parts[1:])) else [chunk]
    return names


def _is_job_title(part: str) -> bool:
    """"Dietitian", "Shipping Expert", "CEO of Acme": a title word first or last, and not only role words ("Staff
    Writer" is dropped as a name, not kept with one)."""
    words = [word.casefold().strip(".") for word in part.split()]
    return (bool(words) and (words[0] in _JOB_TITLE_WORDS or words[-1] in _JOB_TITLE_WORDS)
            and not all(word in _ROLE_WORDS for word in words))


def normalized_authors(values) -> list[str]:
    """Author names from one or more raw values: "By " and role prefixes stripped, "A and B" / "A, B" / "A; B" split
    (a credential after a comma stays with its name), addresses, handles and role-only words ("Staff") dropped,
    duplicates removed."""
    if isinstance(values, str):
        values = [values]
    names: list[str] = []
    for value in values or ():
        for chunk in _split_names(_BY_PREFIX.sub("", _clean_text(value).replace("*", ""))):
            parts: list[str] = []
            for part in (p.strip(" ,:-–—") for p in chunk.split(",")):
                if not part:
                    continue
                if parts and (_CREDENTIAL.match(part) and part not in ("A", "I") or _is_job_title(part)):
                    parts[-1] = f"{parts[-1]}, {part}"
                else:
                    parts.append(part)
            names += [_BY_PREFIX.sub("", part).strip() for part in parts]
    kept: list[str] = []
    for name in names:
        head = name.split(",", 1)[0]  # the name without the credentials or the job title kept with it
        words = head.split()
        if (not words or len(words) > AUTHOR_MAX_WORDS or len(head) > AUTHOR_MAX_CHARS or len(name) > 2 * AUTHOR_MAX_CHARS
                or _URL_OR_MAIL.search(name)
                or all(word.casefold().strip(".:") in _ROLE_WORDS for word in words)
                or sum(c.isdigit() for c in name) > 2 or not any(c.isalpha() for c in name)
                or all(word.casefold().strip(".,") in _MONTHS for word in words)
                or (any(c.isdigit() for c in name) and any(word.casefold().strip(".,") in _MONTHS for word in words))):
            continue
        if _folded(name) not in {_folded(k) for k in kept}:
            kept.append(name)
    return kept


@dataclass
class MetadataCandidates:
    """Each source's candidate for each field (source name -> value); absent sources have no entry."""

    title: dict[str, str] = field(default_factory=dict)
    authors: dict[str, list[str]] = field(default_factory=dict)
    date: dict[str, str] = field(default_factory=dict)

    def add_title(self, source: str, value) -> None:
        text = normalized_title(value) if isinstance(value, str) else ""
        if text and source not in self.title and len(text.split()) <= HEADLINE_MAX_WORDS:
            self.title[source] = text

    def add_authors(self, source: str, value) -> None:
        names = normalized_authors(value)
        if names and source not in self.authors:
            self.authors[source] = names

    def add_date(self, source: str, value) -> None:
        found = iso_date(value) if isinstance(value, str) else None
        if found and source not in self.date:
            self.date[source] = found


def _json_items(data):
    """Every JSON-LD object of a script's data: lists and @graph flattened, nested objects included."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            yield item
            for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement", "hasPart"):
                if isinstance(item.get(key), (list, dict)):
                    stack.append(item[key])


def _types(item: dict) -> set[str]:
    kinds = item.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return {str(kind).rsplit("/", 1)[-1].casefold() for kind in kinds if kind}


def _person_names(value, by_id: dict) -> list[str]:
    values = value if isinstance(value, list) else [value]
    names = []
    for item in values:
        if isinstance(item, dict):
            if "name" not in item and item.get("@id") in by_id:
                item = by_id[item["@id"]]
            name = item.get("name")
            if isinstance(name, list):
                name = " ".join(str(part) for part in name)
            if isinstance(name, str):
                names.append(name)
        elif isinstance(item, str):
            names.append(item)
    return names


def _json_ld(tree, candidates: MetadataCandidates) -> None:
    import json

    items = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            items += list(_json_items(json.loads(script.text or "", strict=False)))
        except (ValueError, RecursionError):
            continue
    by_id = {item["@id"]: item for item in items if isinstance(item.get("@id"), str)}
    for item in items:
        kinds = _types(item)
        if not kinds & _ARTICLE_TYPES:
            continue
        is_article = bool(kinds - {"webpage", "itempage", "aboutpage", "faqpage", "qapage", "collectionpage", "medicalwebpage"})
        prefix = "jsonld" if is_article else "jsonld_page"
        candidates.add_title(f"{prefix}_headline", item.get("headline") or (item.get("name") if is_article else None))
        if item.get("author"):
            candidates.add_authors(f"{prefix}_author", _person_names(item["author"], by_id))
        candidates.add_date(f"{prefix}_published", item.get("datePublished") or item.get("dateCreated"))
        candidates.add_date(f"{prefix}_modified", item.get("dateModified"))


def _meta_tags(tree, candidates: MetadataCandidates) -> dict[str, str]:
    found: dict[str, str] = {}
    labels: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().casefold()
        content = meta.get("content")
        if key and content and content.strip() and key not in found:
            found[key] = content.strip()
    for key, value in found.items():  # Yoast's "twitter:label1: Written by" / "twitter:data1: Jane Doe"
        if key.startswith("twitter:label") and re.match(r"(written by|author|by)\b", value, re.IGNORECASE):
            labels[key.replace("label", "data")] = value
    for key in _META_TITLE:
        if key in found:
            candidates.add_title("og_title" if key == "og:title" else "meta_title", found[key])
    adders = {"authors": candidates.add_authors, "date": candidates.add_date}
    for names, field_name, source in (*_META_SOURCES, (tuple(labels), "authors", "twitter_label_author")):
        for key in names:  # the first of the names the page has gives the source's candidate
            if key in found:
                adders[field_name](source, found[key])
    return found


def _site_names(found: dict[str, str], url: str | None) -> set[str]:
    names = {_folded(found.get(key)) for key in ("og:site_name", "application-name", "apple-mobile-web-app-title",
                                                  "twitter:site")}
    if url:
        host = re.sub(r"^(?:https?://)?(?:www\.)?", "", url.casefold()).split("/", 1)[0]
        names |= {host, host.split(".", 1)[0]}
    return {name.lstrip("@") for name in names if name}


def _is_site_part(part: str, site_names: set[str]) -> bool:
    folded = _folded(part)
    squeezed = re.sub(r"\W", "", folded)
    return any(folded == name or squeezed == re.sub(r"\W", "", name) or (len(name) > 3 and name in folded)
               for name in site_names)


def title_stem(title: str | None, site_names: set[str]) -> str | None:
    """A <title> or og:title without its site-name part: split at separators, the parts naming the site (og:site_name,
    the host) dropped; with no site name known, a short last part after the headline is taken as the site's."""
    text = _clean_text(title)
    if not text:
        return None
    parts = [part for part in _TITLE_SEPARATOR.split(text) if part.strip()]
    if len(parts) < 2:
        return text
    separators = _TITLE_SEPARATOR.findall(text)
    kept = [i for i, part in enumerate(parts) if not _is_site_part(part, site_names)]
    if len(kept) == len(parts):  # no part names the site: a short last part does, by convention
        if len(parts[-1].split()) <= _SITE_TITLE_MAX_WORDS and len(parts[-1]) < len(" ".join(parts[:-1])):
            kept = kept[:-1]
        else:
            return text
    if not kept:
        return None
    first, last = kept[0], kept[-1]  # the headline's own separators (": ") are kept inside it
    stem = parts[first]
    for i in range(first + 1, last + 1):
        stem += separators[i - 1] + parts[i]
    return stem.strip()


def _h1_texts(tree) -> list[tuple[object, str]]:
    found = []
    for heading in tree.iter("h1"):
        text = _clean_text(" ".join(heading.itertext()))
        if text and len(text.split()) <= HEADLINE_MAX_WORDS:
            found.append((heading, text))
    return found


def _headings(h1s: list[tuple[object, str]], candidates: MetadataCandidates, stems: list[str], site_names: set[str]):
    """The h1 candidates, and the h1 element taken as the headline (the first that does not name the site)."""
    if not h1s:
        return None
    candidates.add_title("h1_first", h1s[0][1])
    if len({_folded(text) for _, text in h1s}) == 1:
        candidates.add_title("h1_single", h1s[0][1])
    headline = next(((element, text) for element, text in h1s if not _is_site_part(text, site_names)), None)
    if headline:
        candidates.add_title("h1_content", headline[1])
    for _, text in h1s:  # the h1 the page's other titles agree with
        if _agrees(text, stems):
            candidates.add_title("h1_agreeing", text)
            break
    return headline[0] if headline else None


def _agrees(text: str, stems: list[str | None]) -> bool:
    """A heading the page's other titles agree with: equal, or one contains the other."""
    folded = _folded(text)
    return any(folded == stem or (len(folded) > 10 and (folded in stem or stem in folded))
               for stem in (_folded(stem) for stem in stems if stem) if stem)


def _agreeing_subheading(tree, stems: list[str | None]):
    """On a page without an h1, the first h2 or h3 the page's titles agree with: where bylines are looked for."""
    for heading in tree.iter("h2", "h3"):
        text = _clean_text(" ".join(heading.itertext()))
        if text and len(text.split()) <= HEADLINE_MAX_WORDS and _agrees(text, stems):
            return heading
    return None


_BYLINE_CLASS = re.compile(r"author|byline|writer", re.IGNORECASE)
_DATE_CLASS = re.compile(r"date|publish|posted|time", re.IGNORECASE)
_NOT_BYLINE_TAGS = frozenset({"meta", "script", "style", "link", "body", "html", "article", "main", "head", "img"})
# A label whose names are in the next text: "By", "Written by", "Author:", "Contributors:"
_ONLY_BY = re.compile(r"^(?:(?:(?:written|posted|reviewed|published|story|article)\s+)?by|authors?|contributors?):?$",
                      re.IGNORECASE)
TEXT_NODES_AFTER_HEADLINE, TEXT_NODES_BEFORE_HEADLINE = 40, 10  # how far from the h1 a byline or a dateline is looked for


def _page_elements(tree, candidates: MetadataCandidates) -> None:
    """One walk over the page's elements: itemprop author and datePublished, rel=author links, elements whose class
    or id says byline or date, <time datetime>."""
    first_time = article_time = None
    for element in tree.iter():
        tag = element.tag
        if not isinstance(tag, str):
            continue
        itemprop = element.get("itemprop")
        if itemprop == "author" and "itemprop_author" not in candidates.authors:
            value = element.get("content")
            if not value:
                names = element.xpath(".//*[@itemprop='name']")
                value = (names[0].get("content") or names[0].text_content()) if names else element.text_content()
            candidates.add_authors("itemprop_author", value)
        elif itemprop == "datePublished":
            candidates.add_date("itemprop_published", element.get("content") or element.get("datetime") or element.text_content())
        if tag == "a" and element.get("rel") == "author":
            candidates.add_authors("rel_author", element.text_content())
        marks = f"{element.get('class') or ''} {element.get('id') or ''}"
        if "byline_element" not in candidates.authors and tag not in _NOT_BYLINE_TAGS and _BYLINE_CLASS.search(marks):
            text = _clean_text(" ".join(element.itertext()))
            if text and len(text.split()) <= AUTHOR_MAX_WORDS + 2:
                candidates.add_authors("byline_element", text)
        if tag == "time":
            stamp = element.get("datetime")
            if stamp and first_time is None:
                first_time = stamp
            if stamp and article_time is None and any(a.tag in ("article", "main") for a in element.iterancestors()):
                article_time = stamp
            if element.get("pubdate") is not None or _DATE_CLASS.search(marks) and "modif" not in marks.casefold():
                candidates.add_date("time_published", stamp or element.text_content())
        elif "date_element" not in candidates.date and tag not in _NOT_BYLINE_TAGS and _DATE_CLASS.search(marks) \
                and "modif" not in marks.casefold() and "update" not in marks.casefold():
            text = _clean_text(element.get("content") or element.text_content())
            if text and len(text.split()) <= _DATELINE_MAX_WORDS:
                candidates.add_date("date_element", text)
    candidates.add_date("time_article", article_time)
    candidates.add_date("time_first", first_time)


SHORT_LINE_WORDS = 15  # a line this short after the headline that holds a date is a dateline with more on it


def _byline_names(text: str) -> list[str] | None:
    """The names of a byline line ("By Jane Doe", "by: Jane Doe, Dec 17, 2025", "Written by Jane Doe | Staff"):
    from after "by" up to a digit, a bar or a dash; every name capitalised, at most MAX_BYLINE_NAMES."""
    if len(text.split()) > SHORT_LINE_WORDS or not _BY_PREFIX.match(text):
        return None
    rest = re.split(r"\d|\||\s[-–—·•]\s|\bon\b", _BY_PREFIX.sub("", text), maxsplit=1)[0]
    names = normalized_authors(rest)
    return names if names and len(names) <= MAX_BYLINE_NAMES and all(map(_name_like, names)) else None


MAX_BYLINE_NAMES = 4


def _near_headline(headline, candidates: MetadataCandidates) -> None:
    """A byline ("By Jane Doe", or "By" and the names in the next element) and a dateline in the text just after the
    headline; a dateline just before it."""
    after = [_clean_text(text) for text in headline.xpath(f"following::text()[normalize-space()][position() <= {TEXT_NODES_AFTER_HEADLINE}]")]
    after = [text for text in after if text]
    for i, text in enumerate(after):
        if "byline_text" not in candidates.authors:
            candidates.add_authors("byline_text", _byline_at(after, i))
        if "date_text" not in candidates.date:
            found = parse_dateline(text)
            if found:
                candidates.date["date_text"] = found.isoformat()
        if "date_in_short_line" not in candidates.date and len(text.split()) <= SHORT_LINE_WORDS and _DIGIT.search(text):
            found = find_date(text) or _day_first_date(text)
            if found:
                candidates.date["date_in_short_line"] = found.isoformat()
                _names_beside_date(after, i, candidates)
    before = [_clean_text(text) for text in
              headline.xpath(f"preceding::text()[normalize-space()][position() <= {TEXT_NODES_BEFORE_HEADLINE}]")]
    for i in reversed(range(len(before))):  # nearest first (the axis gives them in document order)
        text = before[i]
        found = parse_dateline(text)
        if found:
            candidates.date.setdefault("date_text_before", found.isoformat())
        if "date_in_short_line_before" not in candidates.date and len(text.split()) <= SHORT_LINE_WORDS \
                and _DIGIT.search(text):
            found = find_date(text) or _day_first_date(text)
            if found:
                candidates.date["date_in_short_line_before"] = found.isoformat()
                _names_beside_date(before, i, candidates)


def _names_beside_date(texts: list[str], date_index: int, candidates: MetadataCandidates) -> None:
    candidates.add_authors("name_before_date", _name_before(texts, date_index))
    candidates.add_authors("name_after_date", _name_after(texts, date_index))


# A numeric date with the day first, as pages outside the US write it ("23.07.2025", "02-12-2025"); never with "/"
# ("3/4/2025" is the 4th of March in the US)
_DAY_FIRST_DATE = re.compile(r"(?<![\d.\-])(\d{1,2})([.\-])(\d{1,2})\2((?:19|20)\d\d)(?![\d.\-])")


def _day_first_date(text: str) -> dt.date | None:
    match = _DAY_FIRST_DATE.search(text)
    if match is None:
        return None
    try:
        return dt.date(int(match.group(4)), int(match.group(3)), int(match.group(1)))
    except ValueError:
        return None


NAME_BEFORE_DATE_NODES = 3  # "Jane Doe", "Staff writer", "•", "May 2, 2024": how far before a dateline its author is
NAME_AFTER_DATE_NODES = 2  # "May 2, 2024", "·", "Jane Doe"


# Words of a capitalised phrase that is no name ("In This Article", "About Our Team")
_PHRASE_WORDS = frozenset("a an the this that these our your my its in on of for with to from at about and or "
                          "how what why more all".split())


def _bare_name(text: str) -> list[str] | None:
    """A text that is only a person's name (two to four capitalised words, no digit, no job title), as a list."""
    words = text.split()
    if (2 <= len(words) <= 4 and all(word[:1].isupper() for word in words) and not _DIGIT.search(text)
            and not _is_job_title(text) and not any(word.casefold() in _PHRASE_WORDS for word in words)):
        names = normalized_authors(text)
        return names if names == [text] else None
    return None


def _name_before(texts: list[str], date_index: int) -> list[str] | None:
    """The author of a dateline without "By" ("Jane Doe · May 2, 2024"): the nearest short text before it that is only
    a person's name."""
    for text in reversed(texts[max(0, date_index - NAME_BEFORE_DATE_NODES) : date_index]):
        if _bare_name(text):
            return _bare_name(text)
    return None


def _name_after(texts: list[str], date_index: int) -> list[str] | None:
    """The author after a dateline without "By" ("May 2, 2024 · Jane Doe")."""
    for text in texts[date_index + 1 : date_index + 1 + NAME_AFTER_DATE_NODES]:
        if _bare_name(text):
            return _bare_name(text)
    return None


def _byline_at(texts: list[str], i: int) -> list[str] | None:
    """The names of a byline starting at texts[i]: "By Jane Doe" in one text, or "By" and the names in the next."""
    return _byline_names(f"By {texts[i + 1]}" if _ONLY_BY.match(texts[i]) and i + 1 < len(texts) else texts[i])


_BYLINE_START = re.compile(r"^\s*(?:(?:(?:written|posted|authored|story|article)\s+)?by\b|(?:authors?|contributors?)\s*:)",
                           re.IGNORECASE)


def _byline_anywhere(tree, candidates: MetadataCandidates) -> None:
    """The first byline of the page's visible text wherever it is (an author box after the article, a page without a
    headline element): "By Jane Doe", "Written by" and the names next."""
    for node in tree.xpath(_BYLINE_START_XPATH):
        text = _clean_text(node)
        if len(text) > _DATELINE_MAX_CHARS or not _BYLINE_START.match(text):
            continue
        element = node.getparent()
        container = element.getparent() if node.is_tail else element
        if container is None or container.tag in _NOT_CONTENT_TAGS or any(
                ancestor.tag in _NOT_CONTENT_TAGS for ancestor in container.iterancestors()):
            continue
        names = _byline_at([text, _next_text(element, node.is_tail)] if _ONLY_BY.match(text) else [text], 0)
        if names and not any(name.isupper() for name in names):  # an all-capital label is a shop's filter
            candidates.add_authors("byline_anywhere", names)
            return


def _next_text(element, is_tail: bool) -> str:
    """The text after an element's own text (its first child's, or what follows it), or after its tail."""
    following = [] if is_tail else element.xpath("descendant::text()[normalize-space()][position() <= 2]")[1:]
    following = following or element.xpath(f"following::text()[normalize-space()][position() <= {2 if is_tail else 1}]")
    return _clean_text(following[-1]) if following else ""


# Where a "By" is no byline: scripts, styles, menus, footers ("Website by"), forms and their controls ("Shop by Brand")
_NOT_CONTENT_TAGS = frozenset({"script", "style", "nav", "footer", "form", "select", "button", "label"})
# The texts that may open a byline (their first letter one of "By", "Written by", "Posted by", "Authored by",
# "Story by", "Article by", "Author:", "Contributors:"), picked by libxml2 without a Python call per text
_BYLINE_START_XPATH = ("//body//text()[normalize-space()][contains('bwpasc', translate(substring(normalize-space("
                       "substring(., 1, 20)), 1, 1), 'BWPASC', 'bwpasc'))]")


def html_candidates(tree, *, url: str | None = None, trafilatura_metadata=None) -> MetadataCandidates:
    """Every source's candidate title, authors and date of a parsed page (`tree`: trafilatura.load_html's), with
    trafilatura's own metadata (a Document, or None) as one more source."""
    candidates = MetadataCandidates()
    if tree is None:  # nothing lxml could parse: trafilatura's metadata, if any, is all there is
        _add_trafilatura(candidates, trafilatura_metadata)
        return candidates
    _json_ld(tree, candidates)
    found = _meta_tags(tree, candidates)
    site_names = _site_names(found, url or found.get("og:url"))
    title_elements = tree.xpath("//head/title | (//title)[1]")
    page_title = _clean_text(title_elements[0].text_content()) if title_elements else ""
    candidates.add_title("title_stem", title_stem(page_title, site_names))
    candidates.add_title("og_title_stem", title_stem(found.get("og:title"), site_names))
    candidates.add_title("title_full", page_title)
    stems = [candidates.title.get(key) for key in ("title_stem", "og_title_stem", "jsonld_headline", "meta_title")]
    h1s = _h1_texts(tree)
    headline = _headings(h1s, candidates, stems, site_names) if h1s else _agreeing_subheading(tree, stems)
    _page_elements(tree, candidates)
    if headline is not None:
        _near_headline(headline, candidates)
    _byline_anywhere(tree, candidates)
    _add_trafilatura(candidates, trafilatura_metadata)
    _add_agreement(candidates)
    return candidates


def _add_trafilatura(candidates: MetadataCandidates, found) -> None:
    if found is not None:
        candidates.add_title("trafilatura", getattr(found, "title", None))
        candidates.add_authors("trafilatura", re.split(r"\s*;\s*", getattr(found, "author", None) or ""))
        candidates.add_date("trafilatura", getattr(found, "date", None))


def _agreed(values: dict) -> object:
    """The value most sources give (at least two; a tie goes to the value found first), else None."""
    counts: dict[str, list] = {}
    for source, value in values.items():
        if source in _NOT_VOTING:
            continue
        key = _folded("; ".join(value) if isinstance(value, list) else value)
        counts.setdefault(key, [0, value])[0] += 1
    best = max(counts.values(), key=lambda entry: entry[0], default=None)
    return best[1] if best and best[0] >= 2 else None


# sources that do not vote in _agreed: a page's modification dates, and titles with the site's name still in them
_NOT_VOTING = frozenset({"meta_modified", "jsonld_modified", "jsonld_page_modified", "title_full", "og_title"})


def _add_agreement(candidates: MetadataCandidates) -> None:
    """One more source per field, "agreement": the value most of the other sources give."""
    for values in (candidates.title, candidates.authors, candidates.date):
        agreed = _agreed(values)
        if agreed is not None:
            values["agreement"] = agreed


# The orders, first present source wins (chosen as the module's header says; bench.metadata).
TITLE_ORDER: tuple[str, ...] = ("h1_agreeing", "og_title_stem", "h1_first", "title_stem")
AUTHOR_ORDER: tuple[str, ...] = ("agreement", "jsonld_author", "byline_element", "itemprop_author", "meta_author",
                                 "name_after_date", "twitter_label_author")
DATE_ORDER: tuple[str, ...] = ("meta_published", "date_in_short_line", "agreement", "date_in_short_line_before",
                               "jsonld_page_published", "meta_modified", "jsonld_published", "trafilatura")


def first_in_order(found: dict, order) -> object:
    for source in order:
        if source in found:
            return found[source]
    return None


@dataclass(frozen=True)
class PageMetadata:
    title: str | None
    authors: list[str]
    published_date: str | None  # ISO date


# After a field's order, trafilatura's own value where the page has none of the order's sources
LAST_RESORT = ("trafilatura",)


def choose_metadata(candidates: MetadataCandidates, title_order=None, author_order=None, date_order=None) -> PageMetadata:
    return PageMetadata(
        title=first_in_order(candidates.title, (*(title_order or TITLE_ORDER), *LAST_RESORT)),
        authors=list(first_in_order(candidates.authors, (*(author_order or AUTHOR_ORDER), *LAST_RESORT)) or []),
        published_date=first_in_order(candidates.date, (*(date_order or DATE_ORDER), *LAST_RESORT)),
    )


def page_metadata(html: str, *, url: str | None = None, trafilatura_metadata=None) -> PageMetadata:
    """The page's title (its headline), authors and publication date (ISO) from its HTML (html_candidates,
    choose_metadata)."""
    from trafilatura import load_html

    return choose_metadata(html_candidates(load_html(html), url=url, trafilatura_metadata=trafilatura_metadata))
