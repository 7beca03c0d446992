"""Line rules in the languages newsrooms publish most, beside the English ones of rules.py (which run on every
document: English widgets sit on pages in any language). A document gets its own language's rules on top
(line_matcher, chosen once per document). Every alternative is a whole-line pattern, anchored at both ends, as in
rules.py; each rule's name is its English counterpart's with the language's code ("share_prompt_de"), and its word
limit is the English rule's. A label alone takes `\\W*$` after it, a label with a tail ("Lesen Sie auch: ...") a
separator first: a sentence that merely starts with the same word stays.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable

from newsclean.clean.memo import per_line
from newsclean.clean.rules import _NETWORKS, RULES_BY_NAME, LineRule, _rule, first_matching_rule, match_line_rule

_TAIL = r"\s*(:|\||»|>|–|—|-)\s*.*$"  # a label's separator, then the item it introduces
_END = r"\W*$"
_NETWORKS_I18N = rf"{_NETWORKS}|vkontakte|ok|odnoklassniki|одноклассники|вконтакте|телеграм|line|qq|微信|微博|QQ空间|ライン"
_NETWORK_INFLECTED = rf"({_NETWORKS_I18N})(u|ze|'?(da|de|ta|te|dan|den|tan|ten)|е|а|ом)?"  # "na Facebooku", "Twitter'dan", "в Телеграме"


def _label(alternatives: str) -> str:
    """A label alone on its line."""
    return rf"^(\W\s*)?({alternatives}){_END}"


def _label_with_item(alternatives: str) -> str:
    """A label followed by a separator and what it introduces ("Lesen Sie auch: Minister tritt zurück")."""
    return rf"^({alternatives}){_TAIL}"


# language -> English rule name -> its alternatives in that language (regular expressions, case-insensitive)
RULES: dict[str, dict[str, tuple[str, ...]]] = {
    "de": {
        "share_prompt": (
            _label(rf"(diesen )?(artikel|beitrag) (teilen|empfehlen|drucken|versenden|per e-?mail versenden)|teilen|"
                   rf"jetzt teilen|teilen sie diesen (artikel|beitrag)( mit ihren freunden)?|(auf|via|per) ({_NETWORKS_I18N}) teilen|"
                   r"link kopieren|drucken|artikel drucken"),
        ),
        "comment_widget": (
            _label(r"(\d+ )?kommentare?|kommentieren|jetzt kommentieren|kommentar (schreiben|verfassen|abgeben)|"
                   r"kommentare (anzeigen|lesen|ausblenden|laden)|schreiben sie einen kommentar|zu den kommentaren|"
                   r"noch keine kommentare|(die )?kommentarfunktion (ist|wurde) (geschlossen|deaktiviert)"),
            r"^ihre e-?mail-adresse wird nicht veröffentlicht\b.*$",
        ),
        "related_link": (
            _label_with_item(r"lesen sie (auch|mehr)|auch interessant|mehr zum thema|weitere artikel|mehr dazu|"
                             r"das könnte sie auch interessieren|empfehlungen der redaktion"),
            _label(r"lesen sie (auch|mehr)|weiterlesen|mehr lesen|mehr zum thema|weitere artikel|auch interessant|"
                   r"das könnte sie auch interessieren|meistgelesen|empfehlungen( der redaktion)?"),
        ),
        "social_follow": (
            rf"^(folgen sie|folge) (uns|[\w .&'-]{{1,40}}?) (auf|bei|via)\b.*\b({_NETWORKS_I18N}|social media|kanal)\b.*$",
        ),
        "newsletter": (
            _label(r"(jetzt )?(den |unseren )?newsletter( abonnieren| bestellen)?|newsletter-anmeldung|(jetzt )?abonnieren|"
                   r"zum newsletter anmelden"),
            r"^(melden sie sich|abonnieren sie|bestellen sie)\b.*\bnewsletter\b.*$",
        ),
        "navigation": (
            _label(r"zurück|zurück zur startseite|nach oben|zum seitenanfang|startseite|weiter|vorherige[rs]? (artikel|seite)|"
                   r"nächste[rs]? (artikel|seite)|menü|suche|schließen|mehr anzeigen|weniger anzeigen|zum inhalt springen|"
                   r"direkt zum inhalt|navigation (öffnen|schließen)"),
        ),
    },
    "fr": {
        "share_prompt": (
            _label(rf"partager( cet article| l'article| sur ({_NETWORKS_I18N}))?|partagez (cet article|sur ({_NETWORKS_I18N}))|"
                   r"envoyer par e-?mail|imprimer( l'article)?|copier le lien"),
        ),
        "comment_widget": (
            _label(r"(\d+ )?commentaires?|commenter|laisser un commentaire|réagir|(voir|afficher|lire) les commentaires|"
                   r"soyez le premier à (commenter|réagir)|les commentaires sont fermés|ajouter un commentaire"),
            r"^votre adresse (e-?mail|de messagerie) ne sera pas publiée\b.*$",
        ),
        "related_link": (
            _label_with_item(r"lire aussi|à lire aussi|voir aussi|lire la suite|sur le même sujet|à voir aussi|"
                             r"découvrez aussi|et aussi"),
            _label(r"lire aussi|à lire aussi|lire la suite|voir aussi|sur le même sujet|articles similaires|"
                   r"les plus lus|à ne pas manquer|vous aimerez aussi"),
        ),
        "social_follow": (
            rf"^(suivez|suivez-nous|retrouvez-nous|rejoignez-nous)\b.{{0,40}}\b(sur|via)\b.*\b({_NETWORKS_I18N}|réseaux sociaux)\b.*$",
        ),
        "newsletter": (
            _label(r"newsletter|(s'inscrire|inscrivez-vous) à (la|notre) newsletter|s'abonner|abonnez-vous|je m'abonne"),
            r"^(inscrivez-vous|abonnez-vous|recevez)\b.*\b(newsletter|lettre d'information)\b.*$",
        ),
        "navigation": (
            _label(r"retour( en haut( de page)?| à l'accueil)?|haut de page|accueil|suivant|précédent|article (suivant|précédent)|"
                   r"menu|rechercher|fermer|voir plus|voir moins|aller au contenu( principal)?"),
        ),
    },
    "es": {
        "share_prompt": (
            _label(rf"compartir( (esta noticia|este artículo|en ({_NETWORKS_I18N})))?|comparte( (esta noticia|este artículo))?|"
                   r"enviar por (e-?mail|correo)|imprimir|copiar enlace"),
        ),
        "comment_widget": (
            _label(r"(\d+ )?comentarios?|comentar|deja (un|tu) comentario|dejar un comentario|(ver|mostrar) (los )?comentarios|"
                   r"sé el primero en comentar|los comentarios están cerrados"),
            r"^tu dirección de correo electrónico no será publicada\b.*$",
        ),
        "related_link": (
            _label_with_item(r"lea también|lee también|te puede interesar|noticias relacionadas|ver también|también te puede interesar|"
                             r"más información|seguir leyendo"),
            _label(r"lea también|lee también|te puede interesar|noticias relacionadas|lo más leído|seguir leyendo|leer más|"
                   r"también te puede interesar"),
        ),
        "social_follow": (
            rf"^(síguenos|siga|sigue|síganos)\b.{{0,40}}\b(en|a través de)\b.*\b({_NETWORKS_I18N}|redes sociales)\b.*$",
        ),
        "newsletter": (
            _label(r"newsletter|boletín|suscríbete|suscribirse|(suscríbete|apúntate) a (nuestra|la) newsletter"),
            r"^(suscríbete|apúntate|recibe|regístrate)\b.*\b(newsletter|boletín)\b.*$",
        ),
        "navigation": (
            _label(r"volver( arriba| al inicio)?|ir arriba|inicio|siguiente|anterior|(noticia|artículo) (siguiente|anterior)|"
                   r"menú|buscar|cerrar|ver más|ver menos|ir al contenido( principal)?"),
        ),
    },
    "it": {
        "share_prompt": (
            _label(rf"condividi( (questo articolo|l'articolo|su ({_NETWORKS_I18N})))?|condividere|invia per e-?mail|stampa|copia link"),
        ),
        "comment_widget": (
            _label(r"(\d+ )?commenti|commenta|lascia un commento|(leggi|mostra|vedi) i commenti|i commenti sono chiusi|"
                   r"sii il primo a commentare"),
            r"^il tuo indirizzo (e-?mail|email) non sarà pubblicato\b.*$",
        ),
        "related_link": (
            _label_with_item(r"leggi anche|potrebbe interessarti|ti potrebbe interessare|articoli correlati|vedi anche|leggi di più"),
            _label(r"leggi anche|articoli correlati|potrebbe interessarti|ti potrebbe interessare|i più letti|leggi di più|"
                   r"continua a leggere"),
        ),
        "social_follow": (
            rf"^(seguici|segui|seguiteci)\b.{{0,40}}\b(su|via)\b.*\b({_NETWORKS_I18N}|social)\b.*$",
        ),
        "newsletter": (
            _label(r"newsletter|iscriviti( alla newsletter)?|abbonati"),
            r"^(iscriviti|ricevi|abbonati)\b.*\bnewsletter\b.*$",
        ),
        "navigation": (
            _label(r"torna (su|all'inizio|alla home)|home|successivo|precedente|articolo (successivo|precedente)|menu|cerca|"
                   r"chiudi|mostra (di più|altro|meno)|vai al contenuto"),
        ),
    },
    "pt": {
        "share_prompt": (
            _label(rf"compartilhar|compartilhe( (esta notícia|este artigo|no ({_NETWORKS_I18N})))?|partilhar|partilhe( este artigo)?|"
                   r"enviar por e-?mail|imprimir|copiar link"),
        ),
        "comment_widget": (
            _label(r"(\d+ )?comentários?|comentar|deixe (um|seu) comentário|(ver|mostrar) comentários|"
                   r"seja o primeiro a comentar|os comentários estão fechados"),
            r"^o seu endereço de e-?mail não será publicado\b.*$",
            r"^seu e-?mail não será publicado\b.*$",
        ),
        "related_link": (
            _label_with_item(r"leia também|leia mais|veja também|leia ainda|saiba mais|notícias relacionadas|você também pode gostar"),
            _label(r"leia também|leia mais|veja também|saiba mais|notícias relacionadas|mais lidas|você também pode gostar|continue lendo"),
        ),
        "social_follow": (
            rf"^(siga|sigam|acompanhe)\b.{{0,40}}\b(no|na|nas|nos|pelo|pela)\b.*\b({_NETWORKS_I18N}|redes sociais)\b.*$",
        ),
        "newsletter": (
            _label(r"newsletter|assine|assine já|inscreva-se|receba (a|nossa) newsletter"),
            r"^(assine|inscreva-se|receba|cadastre-se)\b.*\b(newsletter|boletim)\b.*$",
        ),
        "navigation": (
            _label(r"voltar( ao topo| para o início)?|topo|início|próxim[ao]|anterior|(notícia|artigo) (seguinte|anterior)|menu|"
                   r"buscar|pesquisar|fechar|ver mais|ver menos|ir para o conteúdo"),
        ),
    },
    "nl": {
        "share_prompt": (
            _label(rf"delen|deel( dit artikel| via ({_NETWORKS_I18N}))?|dit artikel delen|delen via ({_NETWORKS_I18N})|"
                   r"mail dit artikel|printen|link kopiëren"),
        ),
        "comment_widget": (
            _label(r"(\d+ )?reacties?|reageer|reageren|plaats een reactie|(bekijk|toon) (alle )?reacties|"
                   r"reageren is niet (meer )?mogelijk|wees de eerste die reageert"),
            r"^je e-?mailadres wordt niet gepubliceerd\b.*$",
        ),
        "related_link": (
            _label_with_item(r"lees ook|zie ook|lees meer|meer over dit onderwerp|gerelateerde artikelen|ook interessant"),
            _label(r"lees ook|lees meer|meer over dit onderwerp|gerelateerde artikelen|meest gelezen|ook interessant|verder lezen"),
        ),
        "social_follow": (
            rf"^(volg|volgen)\b.{{0,40}}\b(op|via)\b.*\b({_NETWORKS_I18N}|sociale media)\b.*$",
        ),
        "newsletter": (
            _label(r"nieuwsbrief|schrijf je in( voor (de|onze) nieuwsbrief)?|aanmelden( voor de nieuwsbrief)?|abonneren"),
            r"^(meld je aan|schrijf je in|abonneer je|ontvang)\b.*\bnieuwsbrief\b.*$",
        ),
        "navigation": (
            _label(r"terug( naar boven| naar home)?|naar boven|home|volgende|vorige|(volgend|vorig) artikel|menu|zoeken|sluiten|"
                   r"toon meer|toon minder|naar de inhoud"),
        ),
    },
    "pl": {
        "share_prompt": (
            _label(rf"udostępnij( (artykuł|na {_NETWORK_INFLECTED}))?|podziel się( artykułem)?|wyślij e-?mailem|drukuj|kopiuj link"),
        ),
        "comment_widget": (
            _label(r"(\d+ )?komentarz(e|y|y)?|skomentuj|dodaj komentarz|(zobacz|pokaż) komentarze|"
                   r"komentarze (są )?zamknięte|bądź pierwszy(, który skomentuje)?"),
            r"^twój adres e-?mail nie zostanie opublikowany\b.*$",
        ),
        "related_link": (
            _label_with_item(r"czytaj (też|także|więcej)|zobacz (też|także)|przeczytaj (też|także)|polecamy|powiązane artykuły"),
            _label(r"czytaj (też|także|więcej)|zobacz (też|także)|polecamy|najczęściej czytane|powiązane artykuły"),
        ),
        "social_follow": (
            rf"^(obserwuj|śledź|polub)\b.{{0,40}}\b(na|w)\b.*\b({_NETWORK_INFLECTED}|mediach społecznościowych)\b.*$",
        ),
        "newsletter": (
            _label(r"newsletter|zapisz się( do newslettera)?|subskrybuj"),
            r"^(zapisz się|zamów|otrzymuj|subskrybuj)\b.*\bnewslett\w*\b.*$",
        ),
        "navigation": (
            _label(r"powrót( do góry| na górę)?|do góry|strona główna|dalej|następny|poprzedni|(następny|poprzedni) artykuł|menu|"
                   r"szukaj|zamknij|pokaż (więcej|mniej)|przejdź do treści"),
        ),
    },
    "tr": {
        "share_prompt": (
            _label(rf"paylaş|(bu haberi|haberi) paylaş|({_NETWORKS_I18N})'?(da|de|ta|te) paylaş|e-?posta ile gönder|yazdır|"
                   r"bağlantıyı kopyala|linki kopyala"),
        ),
        "comment_widget": (
            _label(r"(\d+ )?yorum(lar)?|yorum yap|yorum yaz|yorumları (gör|göster|oku)|ilk yorumu sen yap|yorumlar kapalı"),
            r"^e-?posta adresiniz yayınlanmayacak\b.*$",
        ),
        "related_link": (
            _label_with_item(r"ilgili haberler?|ayrıca oku|bunlar da ilginizi çekebilir|devamını oku|daha fazla"),
            _label(r"ilgili haberler?|devamını oku|haberin devamı|bunlar da ilginizi çekebilir|en çok okunanlar"),
        ),
        "social_follow": (
            rf"^.{{0,40}}\b{_NETWORK_INFLECTED}\b.{{0,20}}\b(takip edin|takip et|abone olun)\W*$",
            rf"^(bizi|bizleri) (takip edin|takip et)\b.*$",
        ),
        "newsletter": (
            _label(r"bülten|e-?bülten|bültene (abone ol|kaydol)|abone ol"),
            r"^.{0,60}\b(bültenimize|bültene|e-bültenimize) (abone olun|kaydolun|abone ol)\b.*$",
        ),
        "navigation": (
            _label(r"başa dön|yukarı çık|ana sayfa|anasayfa|sonraki( haber)?|önceki( haber)?|menü|ara|kapat|daha fazla göster|"
                   r"içeriğe geç"),
        ),
    },
    "ru": {
        "share_prompt": (
            _label(rf"поделиться( (в|во) ({_NETWORKS_I18N}))?|поделитесь( (этой )?статьей| новостью)?|отправить по e-?mail|"
                   r"распечатать|печать|скопировать ссылку"),
        ),
        "comment_widget": (
            _label(r"(\d+ )?комментари(й|я|ев|и)|комментировать|оставить комментарий|оставьте комментарий|"
                   r"(показать|читать) комментарии|комментарии закрыты|будьте первым, кто оставит комментарий"),
            r"^ваш (адрес )?e-?mail не будет опубликован\b.*$",
        ),
        "related_link": (
            _label_with_item(r"читайте также|читать также|смотрите также|по теме|читать далее|подробнее|ещё по теме|еще по теме"),
            _label(r"читайте также|по теме|читать далее|подробнее|ещё по теме|еще по теме|самое читаемое|популярное"),
        ),
        "social_follow": (
            rf"^(подписывайтесь|подпишитесь|следите за (нами|новостями)|читайте нас)\b.*\b(в|во|на)\b.*\b({_NETWORK_INFLECTED}|соцсетях)\b.*$",
        ),
        "newsletter": (
            _label(r"рассылка|подписаться( на рассылку)?|подпишитесь на (нашу )?рассылку"),
            r"^(подпишитесь|подписывайтесь|получайте)\b.*\b(рассылк\w*|newsletter)\b.*$",
        ),
        "navigation": (
            _label(r"наверх|вернуться( наверх| на главную)?|главная|далее|назад|следующая( статья)?|предыдущая( статья)?|меню|"
                   r"поиск|закрыть|показать (ещё|еще|больше|меньше)|перейти к содержимому"),
        ),
    },
    "ar": {
        "share_prompt": (
            _label(rf"شارك|مشاركة|شارك (الخبر|المقال|هذا المقال)|شارك على ({_NETWORKS_I18N}|فيسبوك|تويتر|واتساب)|"
                   r"أرسل عبر البريد الإلكتروني|طباعة|انسخ الرابط|نسخ الرابط"),
        ),
        "comment_widget": (
            _label(r"(\d+ )?تعليقات?|تعليق|أضف تعليقا|أضف تعليقاً|اترك تعليقا|اترك تعليقاً|عرض التعليقات|كن أول من يعلق|التعليقات مغلقة"),
            r"^لن يتم نشر عنوان بريدك الإلكتروني\b.*$",
        ),
        "related_link": (
            _label_with_item(r"اقرأ أيضا|اقرأ أيضاً|إقرأ أيضا|إقرأ أيضاً|اقرأ المزيد|أخبار ذات صلة|مواضيع ذات صلة|شاهد أيضا|شاهد أيضاً"),
            _label(r"اقرأ أيضا|اقرأ أيضاً|إقرأ أيضا|إقرأ أيضاً|اقرأ المزيد|أخبار ذات صلة|مواضيع ذات صلة|الأكثر قراءة"),
        ),
        "social_follow": (
            rf"^(تابعنا|تابعونا|تابعوا)\b.*\b(على|عبر)\b.*\b({_NETWORKS_I18N}|فيسبوك|تويتر|تيليجرام|تلغرام|يوتيوب|إنستغرام|مواقع التواصل)\b.*$",
        ),
        "newsletter": (
            _label(r"النشرة البريدية|النشرة الإخبارية|اشترك|اشترك الآن|اشترك في النشرة( البريدية| الإخبارية)?"),
            r"^(اشترك|سجل|احصل)\b.*\b(النشرة|نشرتنا)\b.*$",
        ),
        "navigation": (
            _label(r"العودة إلى الأعلى|إلى الأعلى|الرئيسية|الصفحة الرئيسية|التالي|السابق|المقال (التالي|السابق)|القائمة|بحث|إغلاق|"
                   r"عرض المزيد|المزيد|انتقل إلى المحتوى"),
        ),
    },
    "zh": {
        "share_prompt": (
            rf"^(分享|分享到|分享至|转发到)[：:]?\s*(({_NETWORKS_I18N}|朋友圈|微信好友|新浪微博|QQ好友)[\s,，、|/]*){{0,8}}$",
            r"^(打印|打印本文|复制链接|扫一扫分享|用微信扫码二维码分享至好友和朋友圈)\W*$",
        ),
        "comment_widget": (
            r"^(\d+\s*)?(条)?评论\W*$",
            r"^(发表评论|我要评论|查看评论|查看全部评论|评论区|网友评论|暂无评论|评论已关闭|登录后发表评论)\W*$",
        ),
        "related_link": (
            r"^(相关阅读|相关新闻|相关文章|延伸阅读|推荐阅读|热点推荐|猜你喜欢|更多精彩|阅读更多|阅读全文|热门文章|点击排行)([：:|丨>»]\s*.{0,80})?$",
        ),
        "social_follow": (
            r"^.{0,12}(关注我们|关注|欢迎关注)[：:]?\s*.{0,30}(微信公众号|公众号|微博|抖音|视频号|官方账号).{0,20}$",
        ),
        "newsletter": (
            r"^(订阅|订阅我们的?(新闻|电子报|邮件|简报)|订阅newsletter|邮件订阅|立即订阅)\W*$",
        ),
        "navigation": (
            r"^(返回顶部|回到顶部|返回首页|首页|上一篇|下一篇|上一页|下一页|菜单|搜索|关闭|展开全文|收起|跳到主要内容)\W*$",
        ),
    },
    "ja": {
        "share_prompt": (
            rf"^(シェア(する)?|共有(する)?|この記事をシェア(する)?|この記事を共有(する)?|ツイート|はてなブックマーク|"
            rf"(({_NETWORKS_I18N})で(シェア|共有|送る)))\W*$",
            r"^(印刷(する)?|リンクをコピー|URLをコピー)\W*$",
        ),
        "comment_widget": (
            r"^(\d+\s*件?の?)?コメント\W*$",
            r"^(コメントする|コメントを(書く|投稿する|見る|表示)|コメント一覧|最初のコメントを投稿|コメントは(受け付けていません|締め切られました))\W*$",
            r"^メールアドレスが公開されることはありません.*$",
        ),
        "related_link": (
            r"^(関連記事|関連ニュース|あわせて読みたい|合わせて読みたい|おすすめ記事|こちらもおすすめ|続きを読む|もっと見る|人気記事|"
            r"アクセスランキング)([：:|｜>»]\s*.{0,80})?$",
        ),
        "social_follow": (
            rf"^.{{0,30}}(公式)?({_NETWORKS_I18N}|ツイッター|フェイスブック|インスタグラム|LINE|ユーチューブ)(アカウント)?(を|で)?(フォロー|友だち追加)(する|して(ください|ね)|しよう)?\W*$",
        ),
        "newsletter": (
            r"^(メールマガジン|メルマガ|ニュースレター)(登録|を購読|に登録|の登録はこちら)?\W*$",
            r"^(メールマガジン|メルマガ|ニュースレター)の?(登録|購読)(はこちら|する)\W*$",
        ),
        "navigation": (
            r"^(ページの?先頭へ(戻る)?|トップへ戻る|トップに戻る|ホーム|次へ|前へ|次の記事|前の記事|メニュー|検索|閉じる|もっと見る|"
            r"本文へ(移動|スキップ)|メインコンテンツへスキップ)\W*$",
        ),
    },
}


def _compiled(language: str) -> tuple[LineRule, ...]:
    return tuple(_rule(f"{name}_{language}", RULES_BY_NAME[name].max_words, *alternatives)
                 for name, alternatives in RULES[language].items())


LANGUAGE_RULES: dict[str, tuple[LineRule, ...]] = {language: _compiled(language) for language in RULES}


@lru_cache(maxsize=None)
def line_matcher(language: str | None) -> Callable[[str], str | None]:
    """The line rules for a document in `language` (ISO 639-1; None: unknown): the English rules, then the
    language's own. Called once per document; the function it returns is memoised per line like match_line_rule."""
    rules = LANGUAGE_RULES.get(language or "")
    if not rules:
        return match_line_rule

    @per_line
    def match(line: str) -> str | None:
        return match_line_rule(line) or first_matching_rule(line, rules)

    return match
