"""Named line rules: each is data (a compiled pattern and a word limit) plus one small matching function.

A rule matches a *whole line* (after whitespace normalisation), never a phrase inside a sentence, so an article
sentence that mentions comments or sharing stays. The word limit keeps long sentences that happen to start like
a widget ("Share prices fell sharply after ...") out of reach. Rule names are what `removed_lines.rule` shows.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from newsclean.clean.memo import per_line

# Social networks and messaging apps named by share bars and follow lines.
_NETWORKS = (
    r"facebook|twitter|x|instagram|youtube|tiktok|linkedin|pinterest|reddit|telegram|whats ?app|threads|"
    r"snapchat|tumblr|mastodon|bluesky|flipboard|google news|google|email|e-mail|messenger|viber|vk|weibo|wechat"
)


MAX_CHARS_PER_WORD = 25  # a "word" longer than this on average is not a widget's text (and a 10 MB line stays fast)


class Gated(NamedTuple):
    """An alternative that scans the whole line (".{0,120}\\bclick here", an unanchored phrase), so it is searched
    only in lines that hold one of `literals` (lower case; every match of the alternative contains one): most lines
    hold none and skip the scan."""

    literals: tuple[str, ...]
    alternative: str


@dataclass(frozen=True)
class LineRule:
    name: str
    pattern: re.Pattern | None  # the rule's alternatives that every line within the limits is searched for (None: all gated)
    max_words: int  # longer lines are prose, whatever they start with
    gated: tuple[tuple[tuple[str, ...], re.Pattern], ...] = ()  # (literals, pattern) of its Gated alternatives

    def matches(self, line: str, words: int, lowered: str | None = None) -> bool:
        """`lowered`: the line in lower case if it is ASCII, else None (a non-ASCII line is searched for every
        alternative: IGNORECASE folds some letters that str.lower() keeps apart, "ı" and "i")."""
        if words > self.max_words or len(line) > self.max_words * MAX_CHARS_PER_WORD:
            return False
        if self.pattern is not None and self.pattern.search(line) is not None:
            return True
        for literals, pattern in self.gated:  # a plain loop: most rules have none, and this runs for every short line
            if (lowered is None or any(map(lowered.__contains__, literals))) and pattern.search(line) is not None:
                return True
        return False


def _rule(name: str, max_words: int, *alternatives: str | Gated) -> LineRule:
    plain = [alt for alt in alternatives if not isinstance(alt, Gated)]
    # No plain alternative is no pattern: an empty one would match every line.
    pattern = re.compile("|".join(f"(?:{alt})" for alt in plain), re.IGNORECASE) if plain else None
    gated = tuple((alt.literals, re.compile(alt.alternative, re.IGNORECASE)) for alt in alternatives if isinstance(alt, Gated))
    return LineRule(name, pattern, max_words, gated)


# Whole-line patterns: every alternative is anchored at both ends.
LINE_RULES: tuple[LineRule, ...] = (
    _rule(
        "share_prompt", 10,
        r"^(click to |tap to )?share( (this|the|on|via|with|it|your|our|now|article|story|post|page|link)\b[^.?!]*)?\W*$",
        rf"^((share|post|send|tweet|pin)( it)? (on|to|via) )?({_NETWORKS})\W*$",
        rf"^(({_NETWORKS}|print|copy link|copy url)[\s,|•·/]*){{2,}}$",  # a row of share buttons run together
        r"^(tweet|pin it|copy link|print( this)?( article| page)?|email this( article| story)?)\W*$",
        r"^share (this )?(article|story|post)?\s*[:|]?\s*$",
        r"^(order reprints|reprints?( & permissions| and permissions)?|print article)\W*$",
        r"^(like|enjoy(ed)?|love) this (story|article|post)\? share it\b.*$",
        r"^(like this|like loading(\.\.\.|…)?)\s*:?$",  # the blog platform's like button and its placeholder
    ),
    _rule(
        "comment_widget", 14,
        r"^(\d+\s+)?comments?\W*$",
        r"^(leave|post|add|write|submit|view|show|hide|load|read|see|join the) (a |an |your |all |the |our )?"
        r"(comment|comments|reply|replies|discussion|conversation)s?\W*$",
        r"^(click|tap) (here )?to (comment|reply)\W*$",
        r"^(comments are closed|comments are disabled|be the first to comment|no comments yet|cancel reply)\W*$",
        r"^your email address will not be published\b.*$",
        r"^required fields are marked\s*\*?\W*$",
        r"^you must (be logged in|log in|sign in|register) to (post|leave|add|write) a comment\W*$",
        r"^(log in|sign in|register) to (comment|reply|join the discussion)\W*$",
        r"^(top rated|most popular|newest|oldest|featured) comments\W*$",
        r"^tell us what you think\W*$",
    ),
    _rule(
        "related_link", 30,
        r"^(read more|read also|also read|see also|related|related (articles?|stories|story|news|posts?|content|coverage|reading)|"
        r"more (from|on) [\w .'&-]{1,40}|recommended( for you)?|you (may|might) also like|don'?t miss|must read|"
        r"further reading|what to read next|trending( now)?|editor'?s picks?|popular( now| stories)?|latest news|"
        r"see more|watch more|more coverage|more news|"
        r"leggi anche|lesen sie auch|lire aussi|lea también|leia também|veja também|zie ook|czytaj też)"
        r"\s*(:|\||»|>|–|—|-)\s*.*$",
        r"^\(?(leggi anche|lesen sie auch|lire aussi|lea también|leia também|veja também)( su)?\s*:.*\)?$",
        r"^also on [\w-]+(\.[\w-]+)*\.[a-z]{2,}\b.*$",
        # a teaser headline tagged with its kind or source: "Plague fears grow [VIDEO]", "Why rates rose [Bloomberg]|"
        Gated(("[",), r"^[^.!?]{10,150}[^.!?:;,\s]\s*(?-i:\[ ?[A-Z][A-Za-z]{2,14}( [A-Z][A-Za-z]{1,14})? ?\])\s*\|?$"),
        r"^(read more|read also|also read|see also|related|related (articles?|stories|news|posts?|content)|"
        r"you (may|might) also like|more stories|recommended|further reading|don'?t miss|see more|most read|"
        r"most popular|top stories|explore further|(popular|more) (on|from) [\w .'&-]{1,40})\s*\W*$",
    ),
    _rule(
        "social_follow", 30,
        rf"^(follow|like|join|find|connect with|subscribe to) (us|[\w .&'-]{{1,40}}?) (on|via|at)\b.*\b({_NETWORKS}|social media|channel)",
        rf"^(follow|like|join|subscribe to) (us|our|[\w .&'-]{{1,40}}?)('s)? ({_NETWORKS}) (channel|page|account|group)\b.*$",
    ),
    _rule(
        "newsletter", 25,
        r"^(sign up|subscribe|register|get|receive|join)\b.*\b(newsletters?|inbox|e-?mail alerts?|daily briefing|"
        r"news alerts?|mailing list|daily digest)\b.*$",
        r"^(newsletters?|subscribe( now| today| here)?|sign up( now| today| here)?|unsubscribe)\W*$",
        r"^(already (a )?subscriber|subscribe to (continue|read)|this (article|content) is for subscribers)\b.*$",
        r"^(thanks|thank you) for (signing up|subscribing|registering)\b.*$",
        r"^there was (an|a problem|a error) (error )?processing your (subscription|request|sign ?up)\b.*$",
        r"^keep an eye on your inbox\b.*$",
    ),
    _rule(
        "navigation", 6,
        r"^(\W\s*)?(to top|back to top|go to top|scroll to top|top of page|exit mobile version|"
        r"skip to (main )?(content|navigation|search)|skip navigation|toggle navigation|main menu|open menu|close menu|"
        r"menu|search|close|home|next( article| post| story)?|previous( article| post| story)?|"
        r"next page|previous page|go back|back|less|show (more|less)|read less|(\.\.\.|…) ?more)(\s*\W)?$",
    ),
    _rule(
        "ad_label", 10,
        r"^(advertisement|advertising|advert|sponsored( content)?|paid (content|post)|promoted( content)?|ad|ads by \w+|"
        r"\(?(story|article) continues below( this)?( advertisement| ad)?\)?|continue reading below|"
        r"scroll (down )?to continue( reading| with content)?|report this ad)\W*$",
    ),
    _rule(
        # What a page's scripts say to a reader: gallery counters, a player's or a form's messages, calls to click.
        "widget_text", 25,
        r"^(image|photo|picture|slide|foto|bild)\s+\d+\s+(of|/|von|de|di|sur)\s+\d+\W*$",
        r"^this (slideshow|video|content|feature|page|site|element) requires javascript\b.*$",
        r"^(please )?(enable|turn on) javascript\b.*$",
        r"^(an error (has )?occurred|there was an error|something went wrong)\b[^.]{0,60}(\.|!)?\s*"
        r"(please )?(try again( later)?|refresh the page)?\W*$",
        r"^thanks? (you )?for watching\b.*$",
        # a reading-time label: "5 min read", "Reading time: 3 minutes", "Tempo de leitura: 2 minutos"
        r"^(\d{1,3} ?(min|mins|minutes?)( read)?|(estimated )?reading time|read time|tempo de leitura|tiempo de lectura|"
        r"temps de lecture|lesezeit|tempo di lettura)\b[\s:]*(\d{1,3} ?(min|mins|minutes?|minutos?|minuten|minuti)\w*)?\W*$",
        Gated(("click",), r"^.{0,120}\bclick(ing)? here\b.{0,60}$"),
        r"^\[(?P<shortcode>\w+)\b[^\]]*\].*\[/(?P=shortcode)\]$",  # a CMS shortcode printed instead of rendered: "[button link=...]...[/button]"
    ),
    _rule(
        # A call to listen, download or follow with its bare link ("Listen: http://…", "iTunes: http://…"). A cited
        # web address alone or behind "Source:" stays: the benchmark's articles keep those (measured).
        "link_line", 6,
        r"^(listen|download|watch|subscribe|follow|itunes|spotify|apple podcasts|google podcasts|rss)( here| now| on \w+)?\s*:\s*(https?://|www\.)\S+$",
    ),
    _rule(
        # How to reach the author, under the article: "Write to Jane Doe at jane.doe@example.com".
        "author_contact", 40,
        r"^(have a (news )?tip\?|(write to|contact|reach|email|e-mail|you can reach)\b).*\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b.*$",
    ),
    _rule(
        # A plea to pay for the journalism, under the article: "If you enjoyed this article, … join …", "Support our reporting".
        "support_appeal", 60,
        r"^(if you (enjoyed|liked|value|appreciate|found value in|rely on) (this|our|what)\b).*\b(subscri\w*|members?(hip)?|"
        r"support( us)?|donat\w*|contribut\w*|join)\b.*$",
        r"^(please )?(support|fund) (our|independent|quality) (journalism|reporting|work)\b.*$",
    ),
    _rule(
        # The wire's credit line under a story: "(Reporting by A; Editing by B)", "C and D contributed to this report."
        "reporting_credit", 60,
        r"^\(?((additional |writing and )?reporting|writing|editing|compiled|translated) by (?-i:[A-Z])[^.]*(\.|\))?\W*$",  # by a Name
        Gated(("contributed",), r"^[^.!?]{0,200}\bcontributed (reporting )?to this (report|story|article)\W*$"),
    ),
    _rule(
        # The shop's disclosure under a product article: "If you buy something through this post, X may get a share
        # of the sale". (A bare "X may earn a commission" stays: the benchmark's articles keep those, measured.)
        "affiliate_disclosure", 50,
        Gated(("if you", "when you"), r"^.{0,100}\b(if|when) you (buy|purchase|click|shop)\b.{0,120}\b(may|might|could|will)? ?"
              r"(earn|get|receive)\b.{0,60}\b(commissions?|(a )?share of (the )?(sales?|revenue)|compensat\w*)\b.*$"),
    ),
    _rule(
        # A tag or keyword list under the article: a label, then short items separated by commas.
        "tag_list", 60,
        r"^(tags|tagged( with)?|topics|keywords|filed under)\s*[:|]?\s*[^.!?]*?(,[^,.!?]{1,60}){3,}$",
        r"^(tags|tagged( with)?|keywords|filed under)\s*:?$",  # the label alone, its list on the next line
    ),
    _rule(
        # A consent banner speaks of the site using cookies; an article about cookies does not start like this.
        "cookie_notice", 40,
        Gated(("cookies",), r"^.{0,40}\b(this|our) (web ?site|site|page|app|portal)s? (uses?|is using) cookies\b.*$"),
        r"^(we|this site) (use|uses) cookies\b.*\b(experience|personali[sz]e|analy[sz]e|ads|advertising|traffic|"
        r"consent|agree|privacy|site|website|services?)\b.*$",
        r"^by (continuing|using|browsing)\b.{0,40}\b(web ?site|site)\b.*\b(cookies|privacy policy)\b.*$",
        r"^(accept|allow|reject|decline|manage) (all )?cookies\W*$",
        r"^cookie (settings|preferences|policy|consent)\W*$",
    ),
    _rule(
        "copyright", 40,
        r"^(©|\(c\)|copyright\b).*$",
        Gated(("all rights reserved",), r"\ball rights reserved\b"),
        Gated(("©", "(c)"), r"(©|\(c\)) ?(19|20)\d\d\b"),  # "The contents of this site are ©2019 ...", "photos © Inexhibit, 2018" is not
        r"^this (document|article|material|content|copy) is (subject to|protected by) copyright\b.*$",
        r"^this copy is for your personal,? non-?commercial use only\b.*$",
    ),
)

RULES_BY_NAME = {rule.name: rule for rule in LINE_RULES}
_LIST_MARKS = "-•*·▪►◦"
_LIST_MARK = re.compile(rf"^[{re.escape(_LIST_MARKS)}]\s+")  # a toolbar rendered as a list: "- Print Article" is still a widget
_LONGEST_MATCH = max(rule.max_words for rule in LINE_RULES)
# The rules a line of n words is within the word limit of, in LINE_RULES order: a 30-word line skips most of them.
_RULES_BY_WORDS = tuple(tuple(rule for rule in LINE_RULES if rule.max_words >= words) for words in range(_LONGEST_MATCH + 1))


def first_matching_rule(line: str, rules: tuple[LineRule, ...]) -> str | None:
    """Name of the first of `rules` that matches this (normalised, non-blank) line, or None."""
    words = line.count(" ") + 1  # normalised lines have single spaces
    if line[:1] in _LIST_MARKS:
        line = _LIST_MARK.sub("", line, count=1)
    lowered = line.lower() if line.isascii() else None
    for rule in rules:
        if rule.matches(line, words, lowered):
            return rule.name
    return None


@per_line
def match_line_rule(line: str) -> str | None:
    """Name of the first fixed rule that matches this (normalised, non-blank) line, or None."""
    words = line.count(" ") + 1  # normalised lines have single spaces
    if words > _LONGEST_MATCH:
        return None  # most article lines: longer than any widget
    return first_matching_rule(line, _RULES_BY_WORDS[words])
