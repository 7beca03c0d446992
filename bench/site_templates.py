"""The site_template rule, on and off: synthetic news sites whose articles share a template, through the real flow.

    python -m bench.site_templates [--sites 12] [--per-site 8] [--seed 7]

Articles are the real bodies of ../shared/bench/aeb (ground truth). Each synthetic site gets its own random template,
drawn from generic parts: a masthead and menu at the top, trending headlines of the site's other articles (these rotate,
so each appears in only some pages), an in-article promo line naming the site, and a footer with an about sentence,
links and a copyright line. One wire story is published on three sites and twice more on one of them (its text must
survive). Each site is a folder, as whole-page text dumps arrive. Scored with the benchmark metric on the bodies in the
warehouse, with NEWSCLEAN_SITE_TEMPLATES on and off, in one process.
"""
from __future__ import annotations

import argparse
import json
import random
import tempfile
from pathlib import Path

from newsclean import settings
from bench.metric import score_corpus, score_page

from .quality import AEB, _warm_up, run_set

_WORDS = ("daily post herald tribune gazette courier chronicle times observer ledger beacon echo record sentinel "
          "monitor star journal express mirror voice").split()
_PLACES = "north river valley harbor capital metro coastal highland lake county bay city".split()
_MENU = ("News|World|Politics|Business|Tech|Science|Health|Sports|Entertainment|Culture|Opinion|Lifestyle|Travel|"
         "Video|Podcasts|Local|Economy|Markets|Climate|Education|Weather|Obituaries|Events|Jobs").split("|")
_FOOTER_LINKS = "About Us|Contact|Careers|Advertise with us|Privacy Policy|Terms of Use|Cookie Settings|Sitemap|RSS Feeds|Corrections".split("|")


def _site(rng: random.Random) -> dict:
    name = f"The {rng.choice(_PLACES).title()} {rng.choice(_WORDS).title()}"
    return {
        "name": name,
        "top": [name, f"Independent news from the {rng.choice(_PLACES)} since {rng.randint(1890, 2015)}",
                *rng.sample(_MENU, rng.randint(6, 12)), "Log In", "Subscribe"],
        "promo": rng.choice([f"Get {name} headlines on WhatsApp: tap to join our channel",
                             f"Download the {name} app for breaking news alerts",
                             f"Like this story? Support {name} journalism today",
                             f"{name} is now on Telegram. Click here to join"]),
        "bottom": [f"{name} is an independent newsroom covering the {rng.choice(_PLACES)} region and beyond, "
                   f"funded by readers like you and owned by a nonprofit trust.",
                   *rng.sample(_FOOTER_LINKS, rng.randint(4, 8)), f"© {rng.randint(2019, 2025)} {name} Media Group"],
    }


def _page(site: dict, paragraphs: list[str], trending: list[str], rng: random.Random) -> str:
    at = min(len(paragraphs), rng.randint(2, 4))
    body = [*paragraphs[:at], site["promo"], *paragraphs[at:]]
    return "\n".join([*site["top"], "Trending", *trending, "", *body, "", "More from us", *site["bottom"]])


def build_corpus(root: Path, sites: int, per_site: int, seed: int) -> dict[str, str]:
    """Write the sites under root (a folder per site); return {page id: true body}."""
    rng = random.Random(seed)
    truth_all = json.loads((AEB / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth_all)
    rng.shuffle(ids)
    wire_id, ids = ids[0], ids[1:]
    truth: dict[str, str] = {}
    for number in range(sites):
        site, folder = _site(rng), root / f"site{number:02d}"
        folder.mkdir(parents=True)
        articles = ids[number * per_site : (number + 1) * per_site]
        headlines = [truth_all[i]["articleBody"].split(".")[0][:90] for i in articles]  # stand-ins for headlines
        copies = [wire_id] * (3 if number == 0 else 1) if number < 3 else []
        for position, page_id in enumerate(articles + copies):
            paragraphs = [p.strip() for p in truth_all[page_id]["articleBody"].split("\n") if p.strip()]
            trending = rng.sample([h for i, h in enumerate(headlines) if i != position % len(headlines)], 3)
            name = f"{page_id}-{number}-{position}"
            (folder / f"{name}.txt").write_text(_page(site, paragraphs, trending, rng), encoding="utf-8")
            truth[name] = truth_all[page_id]["articleBody"]
    return truth


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sites", type=int, default=12)
    parser.add_argument("--per-site", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    _warm_up()
    with tempfile.TemporaryDirectory(prefix="newsclean-sites-") as folder:
        root = Path(folder) / "sites"
        truth = build_corpus(root, args.sites, args.per_site, args.seed)
        wire_body = max(set(truth.values()), key=list(truth.values()).count)
        wire = {page for page, body in truth.items() if body == wire_body}
        print(f"{len(truth)} pages on {args.sites} sites ({args.per_site} articles each; one wire story x{len(wire)})")
        print(f"{'site rule':<10} {'P':>6} {'R':>6} {'F1':>6}  {'wire story R':>12}")
        for enabled in (False, True):
            settings.SITE_TEMPLATES = enabled
            result = run_set(root, truth, keep_bodies=True)
            wire_recall = score_corpus(score_page(result["bodies"].get(p, ""), truth[p]) for p in wire).recall
            print(f"{'on' if enabled else 'off':<10} {result['precision']:>6.3f} {result['recall']:>6.3f} {result['f1']:>6.3f}  {wire_recall:>12.3f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
