"""A corpus of the dirtiest inputs scraped news arrives as, generated on the fly (nothing large is committed).

    python -m tests.hostile_corpus DIR [--large]     # write it, then: newsclean run DIR

`build(root)` writes the files and returns {relative path: (category, tables it may end in)}. With large=True it also
writes the heavy cases (a 200 MB page, a 4 MB gzip bomb that inflates to 4 GB); the tests do, in a tmp dir.
"""
from __future__ import annotations

import gzip
import os
import random
import sys
from pathlib import Path

ARTICLE = [
    "The regional council approved a plan on Tuesday to rebuild the flood defences along the river, after two winters of damage.",
    "Engineers said the work would start in the spring and take about three years, at a cost the council put at 40 million euros.",
    "Residents of the lower town, where water reached the first floors last January, welcomed the decision but asked for a faster timetable.",
    "The plan still needs the approval of the national environment agency, which is expected to give its opinion before the summer.",
]
ARTICLE_TEXT = "Council approves new flood defences\n\n" + "\n\n".join(ARTICLE) + "\n"
EURO_TEXT = "Le café était fermé. “Déjà vu”, a dit l’élève — 5 € la tasse à Zürich.\n\n" + ARTICLE_TEXT
GERMAN = ("Der Stadtrat hat am Dienstag beschlossen, die Deiche entlang des Flusses nach zwei Wintern mit schweren Schäden "
          "neu zu bauen. Die Arbeiten sollen im Frühjahr beginnen und etwa drei Jahre dauern, sagten die Ingenieure. ") * 3

ARTICLES, QUARANTINE, REJECTED = "articles", "quarantine", "rejected"
EITHER = (QUARANTINE, REJECTED)


def _html(body: str, head: str = "", lang: str = "en") -> str:
    return f'<!DOCTYPE html><html lang="{lang}"><head><title>Flood defences</title>{head}</head><body>{body}</body></html>'


def _article_html(paragraphs=ARTICLE, **kwargs) -> str:
    return _html("<article><h1>Council approves new flood defences</h1>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</article>", **kwargs)


def _gzip_bomb(path: Path, members: int = 64) -> int:
    """Zeros compress about 1000:1. One 64 MB member, written `members` times: gzip readers inflate concatenated
    members as one stream, so a ~4 MB file inflates to 4 GB. Returns the inflated size."""
    member_bytes = 64 << 20
    member = gzip.compress(bytes(member_bytes), compresslevel=9)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        for _ in range(members):
            handle.write(member)
    return member_bytes * members


def build(root: Path, large: bool = False) -> dict[str, tuple[str, tuple[str, ...]]]:
    rng = random.Random(42)
    root.mkdir(parents=True, exist_ok=True)
    expected: dict[str, tuple[str, tuple[str, ...]]] = {}

    def put(relpath: str, content: str | bytes, category: str, *tables: str) -> None:
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        expected[relpath] = (category, tables)

    # Text that is not an article.
    put("text/empty.txt", b"", "empty file", QUARANTINE)
    put("text/whitespace.txt", " \n\t\n\u00a0\n   \n", "whitespace only", QUARANTINE)
    put("text/only-boilerplate.txt", "Share this article\nLeave a comment\nComments are closed.\nTo Top\nAdvertisement\n",
        "only boilerplate lines", QUARANTINE)
    put("text/long-line.txt", ("flood " * 1_700_000).strip(), "a single 10 MB line", QUARANTINE)
    put("text/cleaned-empty.txt", "Skip to content\nMenu\nSearch\n\u00a0\nExit mobile version\n", "cleaned body is empty", QUARANTINE)
    put("text/nul-inside.txt", ARTICLE_TEXT.replace("council", "coun\x00cil", 1), "NUL bytes inside text", ARTICLES)
    # Binary content under text and HTML names.
    put("binary/image.txt", b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(2000)), "PNG named .txt", REJECTED)
    put("binary/report.html", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + bytes(rng.randrange(256) for _ in range(2000)), "PDF named .html", REJECTED)
    put("binary/noise.txt", bytes(rng.randrange(256) for _ in range(4000)), "random bytes", REJECTED)
    # Encodings: decoded right, never mojibake.
    put("encoding/utf8-bom.txt", b"\xef\xbb\xbf" + EURO_TEXT.encode("utf-8"), "UTF-8 with BOM", ARTICLES)
    put("encoding/utf16-le.txt", EURO_TEXT.encode("utf-16-le").join([b"\xff\xfe", b""]), "UTF-16 LE with BOM", ARTICLES)
    put("encoding/utf16-be.txt", b"\xfe\xff" + EURO_TEXT.encode("utf-16-be"), "UTF-16 BE with BOM", ARTICLES)
    put("encoding/cp1252.txt", EURO_TEXT.encode("cp1252"), "Windows-1252 without declaration", ARTICLES)
    put("encoding/latin1.txt", EURO_TEXT.replace("“", '"').replace("”", '"').replace("’", "'").replace("—", "-")
        .replace("€", "EUR").encode("latin-1"), "Latin-1 without declaration", ARTICLES)
    put("encoding/wrong-meta.html", _article_html([EURO_TEXT.split("\n")[0], *ARTICLE], head='<meta charset="iso-8859-1">').encode("utf-8"),
        "UTF-8 page with a wrong <meta charset>", ARTICLES)
    broken = EURO_TEXT.encode("utf-8")
    put("encoding/mixed-utf8.txt", broken[:40] + b"\xff\xfe\xc3" + broken[40:], "mixed/invalid UTF-8 sequences", ARTICLES)
    # HTML oddities.
    put("html/no-body.html", "<html><head><title>x</title></head>" + "".join(f"<p>{p}</p>" for p in ARTICLE) + "</html>",
        "HTML without <body>", ARTICLES)
    put("html/only-scripts.html", _html("<script>" + "var x = 1;" * 2000 + "</script><script>track()</script>"), "only scripts", QUARANTINE)
    put("html/deep-nesting.html", _html("<div>" * 100_000 + f"<p>{ARTICLE[0]}</p>" + "</div>" * 100_000),
        "100,000 nested elements", *EITHER)
    put("html/unclosed-comment.html", _html("".join(f"<p>{p}</p>" for p in ARTICLE[:2]) + "<!-- never closed <p>hidden</p>"),
        "unclosed comment", *EITHER, ARTICLES)
    put("html/german.html", _article_html([GERMAN], lang="de"), "page in another language", ARTICLES)
    put("html/not-found.html", _html("<h1>404 Not Found</h1><p>The page you requested could not be found.</p><a href='/'>Home</a>"),
        "404 page", QUARANTINE)
    put("html/login.html", _html("<form><h2>Sign in</h2><label>Email</label><input><label>Password</label><input>"
                                 "<button>Log in</button><a>Forgot your password?</a></form>"), "login page", QUARANTINE)
    # Compressed.
    good_gzip = gzip.compress(ARTICLE_TEXT.encode())
    put("gzip/ok.txt.gz", good_gzip, "gzip text", ARTICLES)
    put("gzip/truncated.txt.gz", gzip.compress(ARTICLE_TEXT.encode() * 20)[:80], "truncated gzip", REJECTED)
    put("gzip/not-gzip.html.gz", _article_html(), "a .gz that is not gzip", REJECTED)
    # File names.
    put("names/with spaces.txt", ARTICLE_TEXT, "name with spaces", ARTICLES)
    put("names/ünïcödé—名前.txt", ARTICLE_TEXT, "unicode name", ARTICLES)
    put("names/new\nline.txt", ARTICLE_TEXT, "name with a newline", ARTICLES)
    put("names/a..b/x..y.txt", ARTICLE_TEXT, "'..' in names", ARTICLES)
    outside = root.parent / f"{root.name}-outside.txt"
    outside.write_text(ARTICLE_TEXT, encoding="utf-8")
    os.symlink(outside, root / "names" / "link-outside.txt")
    expected["names/link-outside.txt"] = ("symlink to outside SOURCE", (REJECTED,))

    if large:
        page = _html("<p>" + ("flood defences " * 14_000_000) + "</p>")  # ~210 MB
        put("large/200mb.html", page, "a 200 MB page", REJECTED)
        del page
        inflated = _gzip_bomb(root / "large" / "bomb.txt.gz")
        expected["large/bomb.txt.gz"] = (f"decompression bomb ({inflated >> 30} GB inflated)", (REJECTED,))
    return expected


if __name__ == "__main__":
    target = Path(sys.argv[1])
    for relpath, (category, tables) in build(target, large="--large" in sys.argv).items():
        print(f"{category:<40} {relpath!r:<45} -> {' or '.join(tables)}")
