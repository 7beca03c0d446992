"""Line rules beyond English (newsclean/clean/rules_i18n.py): each language's widgets are removed for a document in that
language, its article sentences stay, and the language's rules stay off for documents in other languages."""
import pytest
from hypothesis import given, settings, strategies as st

from newsclean.clean.rules_i18n import LANGUAGE_RULES, RULES, line_matcher
from newsclean.clean.text import clean_text

REMOVED = {
    "de": {"share_prompt": "Teilen Sie diesen Artikel", "comment_widget": "12 Kommentare",
           "related_link": "Mehr zum Thema: Minister tritt zurück", "social_follow": "Folgen Sie uns auf Instagram",
           "newsletter": "Jetzt Newsletter abonnieren", "navigation": "Nach oben"},
    "fr": {"share_prompt": "Partager cet article", "comment_widget": "Laisser un commentaire",
           "related_link": "À lire aussi : la grève continue", "social_follow": "Suivez-nous sur Twitter et Facebook",
           "newsletter": "Inscrivez-vous à notre newsletter quotidienne", "navigation": "Retour en haut de page"},
    "es": {"share_prompt": "Compartir en WhatsApp", "comment_widget": "Deja tu comentario",
           "related_link": "Te puede interesar: El Gobierno aprueba el presupuesto", "social_follow": "Síguenos en Twitter",
           "newsletter": "Suscríbete a nuestra newsletter", "navigation": "Volver arriba"},
    "it": {"share_prompt": "Condividi su Facebook", "comment_widget": "Lascia un commento",
           "related_link": "Potrebbe interessarti: La Borsa chiude in calo", "social_follow": "Seguici su Instagram",
           "newsletter": "Iscriviti alla newsletter", "navigation": "Torna su"},
    "pt": {"share_prompt": "Compartilhe esta notícia", "comment_widget": "Deixe seu comentário",
           "related_link": "Saiba mais: Governo anuncia novo pacote", "social_follow": "Siga o Jornal no Instagram",
           "newsletter": "Receba a nossa newsletter por e-mail", "navigation": "Voltar ao topo"},
    "nl": {"share_prompt": "Deel dit artikel", "comment_widget": "Plaats een reactie",
           "related_link": "Lees ook: Kabinet valt over stikstof", "social_follow": "Volg ons op Facebook",
           "newsletter": "Schrijf je in voor de nieuwsbrief", "navigation": "Terug naar boven"},
    "pl": {"share_prompt": "Udostępnij na Facebooku", "comment_widget": "Dodaj komentarz",
           "related_link": "Zobacz także: Rząd przyjął budżet", "social_follow": "Obserwuj nas na Twitterze",
           "newsletter": "Zapisz się do newslettera", "navigation": "Powrót do góry"},
    "tr": {"share_prompt": "Bu haberi paylaş", "comment_widget": "Yorum yap",
           "related_link": "İlgili Haberler", "social_follow": "Bizi Twitter'dan takip edin",
           "newsletter": "Bültenimize abone olun, haberleri kaçırmayın", "navigation": "Başa dön"},
    "ru": {"share_prompt": "Поделиться", "comment_widget": "Оставить комментарий",
           "related_link": "Читайте также: Правительство утвердило бюджет", "social_follow": "Подписывайтесь на нас в Telegram",
           "newsletter": "Подпишитесь на нашу рассылку", "navigation": "Наверх"},
    "ar": {"share_prompt": "شارك على فيسبوك", "comment_widget": "أضف تعليقا",
           "related_link": "اقرأ أيضا: الحكومة تقر الميزانية", "social_follow": "تابعونا على تويتر",
           "newsletter": "اشترك في النشرة البريدية", "navigation": "العودة إلى الأعلى"},
    "zh": {"share_prompt": "分享到：微信 微博 QQ", "comment_widget": "发表评论",
           "related_link": "相关阅读：央行宣布降息", "social_follow": "欢迎关注我们的微信公众号",
           "newsletter": "立即订阅", "navigation": "返回顶部"},
    "ja": {"share_prompt": "この記事をシェアする", "comment_widget": "コメントを書く",
           "related_link": "関連記事：日銀が利上げを決定", "social_follow": "公式Xアカウントをフォローしてください",
           "newsletter": "メルマガ登録はこちら", "navigation": "ページの先頭へ戻る"},
}

# Article sentences that start like (or mention) the widgets above: they must stay.
KEPT = {
    "de": ["Teilen wollten die Bauern ihr Land nicht, sagte der Bürgermeister.",
           "Kommentare des Ministers sorgten am Dienstag für Kritik in der Opposition.",
           "Folgen Sie der Spur des Geldes, sagte die Staatsanwältin vor Gericht.",
           "Weiter ging es am Nachmittag mit einer Debatte über die Rente."],
    "fr": ["Partager les richesses reste la priorité du gouvernement, a-t-il déclaré.",
           "Les commentaires du ministre ont provoqué la colère des syndicats mardi.",
           "Suivez le guide, a lancé le maire aux journalistes venus visiter le chantier."],
    "es": ["Compartir el poder no entra en los planes del presidente, según fuentes del partido.",
           "Los comentarios del ministro provocaron críticas de la oposición el martes."],
    "it": ["Condividere le responsabilità è stato il tema centrale del vertice di martedì.",
           "I commenti del ministro hanno suscitato le critiche dell'opposizione."],
    "pt": ["Compartilhar o poder não está nos planos do presidente, disse um assessor.",
           "Os comentários do ministro provocaram críticas da oposição na terça-feira."],
    "nl": ["Delen van de winst is volgens de vakbond de enige eerlijke oplossing.",
           "Reacties van omwonenden waren overwegend positief, meldt de gemeente."],
    "pl": ["Udostępnij dane, a dowiesz się więcej, przekonywał minister na konferencji.",
           "Komentarze ministra wywołały we wtorek krytykę opozycji."],
    "tr": ["Paylaşılan bilgiler, bakanlığın açıklamasıyla doğrulandı.",
           "Yorumlar, muhalefetin sert tepkisine neden oldu."],
    "ru": ["Поделиться опытом с коллегами приехали специалисты из трёх регионов.",
           "Комментарии министра вызвали критику оппозиции во вторник."],
    "ar": ["شارك آلاف المتظاهرين في المسيرة التي جابت شوارع العاصمة يوم الجمعة.",
           "تابعنا التطورات منذ الصباح، وقال الوزير إن الحكومة ستعلن قرارها قريبا."],
    "zh": ["分享经济在过去十年里迅速发展，改变了很多人的生活方式。",
           "相关新闻报道称，市场在周二出现大幅下跌。",
           "首页设计的改版引起了用户的广泛讨论。"],
    "ja": ["シェアサイクルの利用者は昨年から二倍に増えたという。",
           "関連記事によると、日銀は来月にも利上げを決める見通しだ。",
           "コメントを求められた大臣は、記者団の質問に答えなかった。"],
}


@pytest.mark.parametrize("language, rule, line", [
    (language, rule, line) for language, lines in REMOVED.items() for rule, line in lines.items()])
def test_each_languages_rule_removes_its_lines(language, rule, line):
    assert line_matcher(language)(line) == f"{rule}_{language}"


@pytest.mark.parametrize("language, line", [(language, line) for language, lines in KEPT.items() for line in lines])
def test_article_sentences_that_look_alike_stay(language, line):
    assert line_matcher(language)(line) is None


def test_every_language_has_every_kind_of_rule_and_a_test():
    kinds = {"share_prompt", "comment_widget", "related_link", "social_follow", "newsletter", "navigation"}
    assert set(RULES) >= {"de", "fr", "es", "it", "pt", "nl", "ru", "ar", "zh", "ja", "tr", "pl"}
    assert set(REMOVED) == set(RULES) == set(KEPT)
    for language, rules in LANGUAGE_RULES.items():
        assert {rule.name for rule in rules} == {f"{kind}_{language}" for kind in kinds}
        assert set(REMOVED[language]) == kinds


def test_a_languages_rules_apply_to_its_documents_only():
    assert line_matcher("fr")("Teilen Sie diesen Artikel") is None
    assert line_matcher(None)("Teilen Sie diesen Artikel") is None
    assert line_matcher("de")("Share this article") == "share_prompt"  # English widgets on any page


# Words of each language's article sentences above (among them the words its widgets start with: "Teilen",
# "Kommentare", "Folgen", "分享", "コメント"), shuffled into sentences of eight or more words ending in a full stop: no
# rule may take them.
def _words(language: str) -> list[str]:
    return [word for line in KEPT[language] for word in (raw.strip(".,،、。") for raw in line.split()) if word]


def _sentence(language: str):
    if language in ("zh", "ja"):  # written without spaces: a sentence of 12 or more characters ending in 。
        characters = "".join(KEPT[language])
        return st.text(alphabet=sorted(set(characters) - set("。，、：: ")), min_size=12, max_size=60).map(lambda s: s + "。")
    return st.lists(st.sampled_from(_words(language)), min_size=8, max_size=25).map(lambda words: " ".join(words) + ".")


@pytest.mark.parametrize("language", sorted(RULES))
def test_no_article_sentence_is_removed(language):
    matcher = line_matcher(language)

    @settings(max_examples=150, deadline=None)
    @given(_sentence(language))
    def check(sentence):
        assert matcher(sentence) is None, sentence

    check()


def test_a_german_document_loses_its_share_line_through_the_cleaner():
    body = ("Der Stadtrat hat am Dienstag beschlossen, die Fahrpreise für Busse zum ersten Mal seit sechs Jahren zu "
            "erhöhen. Die Opposition kritisierte die Entscheidung scharf.")
    cleaned = clean_text("\n".join([body, "Teilen Sie diesen Artikel", body.replace("Dienstag", "Mittwoch")]))
    assert "Teilen Sie diesen Artikel" not in cleaned.paragraphs
    assert [(record.text, record.kind) for record in cleaned.removed_lines] == [("Teilen Sie diesen Artikel", "share_prompt_de")]
