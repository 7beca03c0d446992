"""Each fixed line rule: what it must remove, and the article lines that look alike but must stay."""
import pytest

from newsclean.clean.rules import LINE_RULES, match_line_rule

REMOVED = {
    "share_prompt": ["Share the latest news updates", "Share this article", "Share:", "Click to share on Twitter",
                     "Facebook Twitter LinkedIn Email", "Share on WhatsApp", "Print this article", "- Order Reprints",
                     "Like this story? Share it with a friend!", "Like this:", "Like Loading..."],
    "comment_widget": ["Leave a comment", "Comments", "Comments are closed.", "Click to comment", "12 Comments",
                       "Your email address will not be published. Required fields are marked *", "Leave a Reply",
                       "Be the first to comment", "View comments", "Top Rated Comments", "Tell us what YOU think...",
                       "You must log in to post a comment."],
    "related_link": ["Read more: Minister appointed to head the bank", "ALSO READ | Floods hit the north",
                     "Related: Budget talks stall", "READ MORE", "You may also like", "DON'T MISS",
                     "SEE MORE: Students under siege in university", "(Leggi anche su: Gli attori della serie –FOTO)",
                     "Also on example.com Journalists threatened with arrest",
                     "Minister furious at rival for protest jibe [INSIGHT]|", "Storm fears: what the forecasters say [VIDEO]",
                     "The singer can't perform her own songs, and it's complicated [Bloomberg]",
                     "Explore further", "Popular on Example Wire", "More from the Herald"],
    "social_follow": ["Follow Day News on Google NewsInstagramYouTubeFacebook, Whats App, and TikTok for latest updates",
                      "Follow us on Twitter", "Join our WhatsApp channel for breaking news", "Like us on Facebook",
                      "Subscribe to Example Tech on YouTube for more Apple news:"],
    "newsletter": ["Sign up for our daily newsletter", "Subscribe now", "Get the best stories delivered to your inbox",
                   "Thanks for signing up!", "There was an error processing your subscription.",
                   "Keep an eye on your inbox for the latest sports news."],
    "navigation": ["To Top", "Exit mobile version", "Skip to content", "Back to top", "↑ Back to top", "Menu", "less", "... more"],
    "ad_label": ["Advertisement", "ADVERTISEMENT", "Story continues below advertisement", "Sponsored content", "Advert"],
    "cookie_notice": ["This website uses cookies to improve your experience. We'll assume you're ok with this, but you can opt-out if you wish.",
                      "We use cookies to personalise content and ads.", "Accept all cookies", "Cookie settings",
                      "By continuing to use this site you agree to our use of cookies and our privacy policy."],
    "copyright": ["© 2024 Day News. All rights reserved.", "Copyright 2023 The Herald", "(c) Example Media Group",
                  "The contents of this site are ©2019 Example Publishing Corp., a subsidiary of Example Inc.",
                  "This document is subject to copyright. Apart from any fair dealing no part may be reproduced.",
                  "This copy is for your personal, non-commercial use only. To order copies, contact us."],
    "widget_text": ["Image 2 of 5", "This slideshow requires JavaScript.", "An error has occurred, please try again later.",
                    "Thanks for watching! Visit Website", "5 min read", "Reading time: 3 minutes", "Tempo de leitura: 2 minutos", "GET THE NEWS APP BY CLICKING HERE",
                    "Get the magazine every month. 12 issues for £11.99. Click here for more information.",
                    '[button link="http://example.com/submit/" type="big"] Send us YOUR review[/button]'],
    "author_contact": ["Write to Jane Doe at jane.doe@example.com",
                       "Have a tip? Jane Doe may be reached at jdoe@example.com. Follow her on Twitter @jdoe."],
    "link_line": ["Listen: http://example.com/ep615", "iTunes: https://podcasts.example.com/show", "Download here: www.example.org/file"],
    "reporting_credit": ["(Reporting by Jane Doe; Editing by John Roe)", "Additional reporting by Ana Lima in Lisbon",
                         "Associated Press writers Jane Doe and John Roe contributed to this report.",
                         "Example News' Jane Doe contributed to this report."],
    "support_appeal": ["If you enjoyed this article, we have a proposition for you: join our members and get everything.",
                       "Support our journalism: become a subscriber today."],
    "affiliate_disclosure": ["If you buy something through this post, Example Games may get a share of the sale.",
                             "When you purchase through links on our site, we may earn an affiliate commission."],
    "tag_list": ["Tags", "Tags: budget, parliament, taxes, elections", "Filed under: Sports, Football, Premier League, Chelsea"],
}

KEPT = [
    "Shared Security Interests Despite Divergent Strategies",  # a heading, not a share prompt
    "Share prices fell sharply on Monday after the company announced the merger.",
    "\"We're not going to comment about domestic politics inside Pakistan,\" he said.",
    "Readers left hundreds of comments under the article, and many shared it on Facebook.",
    "Follow the money on Wall Street, experts say, and you will find the answer.",
    "Read more carefully, the report shows the ministry knew of the risk.",
    "The museum's menu of exhibitions includes a new gallery on the history of advertising.",
    "Comments by the minister drew criticism from the opposition on Tuesday.",
    "US asks Kabul to conduct itself responsibly",
    "Home sales rose 4% in March, the association said.",
    "We use cookies from the bakery down the street, she said.",  # not a banner: no site, no purpose
    "The regulator said the website uses cookies to track users without consent, and fined the company.",
    "Less than a year later, the company was sold.",
    "Don't miss the point: the budget is smaller than last year's.",
    "Image rights, the court said, belong to the photographer.",
    "5 minutes later, the police arrived.",
    "Topics on the agenda include trade, security, climate and migration.",  # a sentence, not a tag list
    "Photos © Jane Doe",  # a credit without a year
    "Contact tracing has reached every district, the ministry said in a statement on Monday.",
    "[Editor's note: an earlier version misstated the date.]",
    "\"I was there [at the time],\" she said.",  # an editor's insertion inside a quote, not a teaser's tag
    "The minister left the stage to applause. [APPLAUSE]",  # a transcript's note after a sentence
    "Source: https://example.gov/report.pdf",  # a cited document, not a call to listen or download
    "https://example.gov/report.pdf",
    "Reporting by the newspaper in 2018 led to the minister's resignation, the court heard.",  # prose about reporting
    "The two agencies contributed to this report's findings, the committee said.",
    "If you enjoyed the concert, the organisers said, come back next year.",
    "Like this, the project could be finished by spring.",
    "Topics",  # a section's name, not a tag list's label
    "More from the minister's speech was released on Tuesday, and it told a different story.",  # prose, not a label
    "Example Tech may earn a commission from products on this page.",  # a bare disclosure: the benchmark keeps it
    "If you buy a house this year, expect to pay more in commission to agents, the survey found.",
    "Subscribe to the idea that markets are rational, and you will miss the crash.",
]


@pytest.mark.parametrize("rule, line", [(rule, line) for rule, lines in REMOVED.items() for line in lines])
def test_rule_removes_its_lines(rule, line):
    assert match_line_rule(line) == rule


@pytest.mark.parametrize("line", KEPT)
def test_article_lines_that_look_alike_stay(line):
    assert match_line_rule(line) is None


def test_every_rule_is_exercised_and_uniquely_named():
    names = [rule.name for rule in LINE_RULES]
    assert len(names) == len(set(names))
    assert set(names) == set(REMOVED)


def test_word_limit_keeps_long_prose_that_starts_like_a_widget():
    long_line = "Comments " + "from readers poured in all day " * 5
    assert match_line_rule(long_line.strip()) is None


def test_a_rule_of_gated_alternatives_only_matches_only_their_lines():
    from newsclean.clean.rules import Gated, _rule

    rule = _rule("only_gated", 20, Gated(("click",), r"^.{0,40}\bclick here\b.*$"))
    assert rule.matches("Click here to subscribe", 4, "click here to subscribe")
    assert not rule.matches("The council approved the budget.", 5, "the council approved the budget.")
