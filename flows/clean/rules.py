"""Named line rules: each is data (a compiled pattern and a word limit) plus one small matching function.

A rule matches a *whole line* (after whitespace normalisation), never a phrase inside a sentence, so an article
sentence that mentions comments or sharing stays. The word limit keeps long sentences that happen to start like
a widget ("Share prices fell sharply after ...") out of reach. Rule names are what `removed_lines.rule` shows.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# Social networks and messaging apps named by share bars and follow lines.
_NETWORKS = (
    r"facebook|twitter|x|instagram|youtube|tiktok|linkedin|pinterest|reddit|telegram|whats ?app|threads|"
    r"snapchat|tumblr|mastodon|bluesky|flipboard|google news|google|email|e-mail|messenger|viber|vk|weibo|wechat"
)


MAX_CHARS_PER_WORD = 25  # a "word" longer than this on average is not a widget's text (and a 10 MB line stays fast)


@dataclass(frozen=True)
class LineRule:
    name: str
    pattern: re.Pattern
    max_words: int  # longer lines are prose, whatever they start with

    def matches(self, line: str, words: int) -> bool:
        return words <= self.max_words and len(line) <= self.max_words * MAX_CHARS_PER_WORD and self.pattern.search(line) is not None


def _rule(name: str, max_words: int, *alternatives: str) -> LineRule:
    pattern = re.compile("|".join(f"(?:{alt})" for alt in alternatives), re.IGNORECASE)
    return LineRule(name, pattern, max_words)


# Whole-line patterns: every alternative is anchored at both ends.
LINE_RULES: tuple[LineRule, ...] = (
    _rule(
        "share_prompt", 10,
        r"^(click to |tap to )?share( (this|the|on|via|with|it|your|our|now|article|story|post|page|link)\b[^.?!]*)?\W*$",
        rf"^((share|post|send|tweet|pin)( it)? (on|to|via) )?({_NETWORKS})\W*$",
        rf"^(({_NETWORKS}|print|copy link|copy url)[\s,|•·/]*){{2,}}$",  # a row of share buttons run together
        r"^(tweet|pin it|copy link|print( this)?( article| page)?|email this( article| story)?)\W*$",
        r"^share (this )?(article|story|post)?\s*[:|]?\s*$",
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
        r"^you must be logged in to (post|leave) a comment\W*$",
        r"^(log in|sign in|register) to (comment|reply|join the discussion)\W*$",
    ),
    _rule(
        "related_link", 30,
        r"^(read more|read also|also read|see also|related|related (articles?|stories|story|news|posts?|content|coverage|reading)|"
        r"more (from|on) [\w .'&-]{1,40}|recommended( for you)?|you (may|might) also like|don'?t miss|must read|"
        r"further reading|what to read next|trending( now)?|editor'?s picks?|popular( now| stories)?|latest news)"
        r"\s*(:|\||»|>|–|—|-)\s*.*$",
        r"^(read more|read also|also read|see also|related|related (articles?|stories|news|posts?|content)|"
        r"you (may|might) also like|more stories|recommended|further reading)\s*\W*$",
    ),
    _rule(
        "social_follow", 30,
        rf"^(follow|like|join|find|connect with) (us|[\w .&'-]{{1,40}}?) (on|via|at)\b.*\b({_NETWORKS}|social media|channel)",
        rf"^(follow|like|join|subscribe to) (us|our|[\w .&'-]{{1,40}}?)('s)? ({_NETWORKS}) (channel|page|account|group)\b.*$",
    ),
    _rule(
        "newsletter", 25,
        r"^(sign up|subscribe|register|get|receive|join)\b.*\b(newsletters?|inbox|e-?mail alerts?|daily briefing|"
        r"news alerts?|mailing list|daily digest)\b.*$",
        r"^(newsletters?|subscribe( now| today| here)?|sign up( now| today| here)?|unsubscribe)\W*$",
        r"^(already (a )?subscriber|subscribe to (continue|read)|this (article|content) is for subscribers)\b.*$",
    ),
    _rule(
        "navigation", 6,
        r"^(\W\s*)?(to top|back to top|go to top|scroll to top|top of page|exit mobile version|"
        r"skip to (main )?(content|navigation|search)|skip navigation|toggle navigation|main menu|open menu|close menu|"
        r"menu|search|close|home|next( article| post| story)?|previous( article| post| story)?|"
        r"next page|previous page|go back|back)(\s*\W)?$",
    ),
    _rule(
        "ad_label", 10,
        r"^(advertisement|advertising|sponsored( content)?|paid (content|post)|promoted( content)?|ad|ads by \w+|"
        r"\(?(story|article) continues below( this)?( advertisement| ad)?\)?|continue reading below|"
        r"scroll (down )?to continue( reading| with content)?|report this ad)\W*$",
    ),
    _rule(
        # A consent banner speaks of the site using cookies; an article about cookies does not start like this.
        "cookie_notice", 40,
        r"^.{0,40}\b(this|our) (web ?site|site|page|app|portal)s? (uses?|is using) cookies\b.*$",
        r"^(we|this site) (use|uses) cookies\b.*\b(experience|personali[sz]e|analy[sz]e|ads|advertising|traffic|"
        r"consent|agree|privacy|site|website|services?)\b.*$",
        r"^by (continuing|using|browsing)\b.{0,40}\b(web ?site|site)\b.*\b(cookies|privacy policy)\b.*$",
        r"^(accept|allow|reject|decline|manage) (all )?cookies\W*$",
        r"^cookie (settings|preferences|policy|consent)\W*$",
    ),
    _rule(
        "copyright", 40,
        r"^(©|\(c\)|copyright\b).*$",
        r"\ball rights reserved\b",
    ),
)

RULES_BY_NAME = {rule.name: rule for rule in LINE_RULES}
_LONGEST_MATCH = max(rule.max_words for rule in LINE_RULES)


def match_line_rule(line: str) -> str | None:
    """Name of the first fixed rule that matches this (normalised, non-blank) line, or None."""
    words = line.count(" ") + 1  # normalised lines have single spaces
    if words > _LONGEST_MATCH:
        return None  # most article lines: longer than any widget
    for rule in LINE_RULES:
        if rule.matches(line, words):
            return rule.name
    return None
