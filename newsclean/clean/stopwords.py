"""Function words (articles, pronouns, prepositions, conjunctions, auxiliaries) of widely published languages.

Prose is about a third function words in every one of these languages; menus, headlines and labels have few. Only
function words are listed, never names or topic words, so a list of names does not look like prose; the lists are
of similar length so the language of a document can be told by which list covers most of its words. Lower case.
"""
from __future__ import annotations

_LISTS = {
    "en": """
        a about above after again against all also am an and any are as at be because been before being below
        between both but by can could did do does doing down during each either even ever every few for from
        further had has have having he her here hers herself him himself his how however i if in into is it its
        itself just let may me might more most must my myself neither no nor not now of off on once only or other
        our ours ourselves out over own same shall she should since so some such than that the their theirs them
        themselves then there these they this those though through thus till to too under until up upon us very
        was we were what when where whether which while who whom whose why will with within without would yet
        you your yours yourself yourselves don s t ll re ve
    """,
    "de": """
        aber alle allem allen aller alles als also am an ander andere anderen auch auf aus bei bin bis bist da
        damit dann das dass dein deine dem den denn der des dich die dies diese diesem diesen dieser dieses dir
        doch dort du durch ein eine einem einen einer eines er es etwas euch euer für gegen gewesen hab habe haben
        hat hatte hätte hier hin hinter ich ihm ihn ihnen ihr ihre ihrem ihren ihrer im in indem ins ist jede jedem
        jeden jeder jetzt kann kein keine können man manche mein meine mich mir mit muss nach nicht nichts noch nun
        nur ob oder ohne sehr sein seine seinem seinen seiner sich sie sind so solche soll sollte sondern um und
        uns unser unter vom von vor war waren warum was weil welche wenn wer werde werden wie wieder will wir wird
        wo wurde wurden zu zum zur zwar zwischen über
    """,
    "fr": """
        à au aux avec avait avoir c ce ceci cela celle celui ces cet cette chez comme d dans de des donc dont du
        elle elles en encore est et été être eu il ils j je l la le les leur leurs lui m ma mais me même mes moi
        mon n ne ni nos notre nous on ont ou où par parce pas pendant peu plus pour qu quand que quel quelle qui
        s sa sans se ses si son sont sous sur ta te tes toi ton tous tout toute toutes très tu un une vos votre
        vous y était étaient sera sont aussi après avant depuis entre
    """,
    "es": """
        a al algo algunos ante antes aquel aquella como con contra cual cuando de del desde donde durante e el
        ella ellas ellos en entre era eran es esa esas ese eso esos esta estaba están estar este esto estos fue
        fueron ha había han hasta hay la las le les lo los más me mi mis muy nada ni no nos nosotros o os otra
        otro para pero poco por porque que quien se sea ser si sido sin sobre son su sus también tanto te tiene
        tienen todo todos tu tus un una uno unos y ya yo él
    """,
    "pt": """
        a ao aos aquela aquele as até com como da das de dela dele deles depois do dos e ela elas ele eles em
        entre era essa esse esta estava este está eu foi foram há isso isto já lhe mais mas me mesmo meu minha
        muito na nas nem no nos nossa nosso não num numa o os ou para pela pelas pelo pelos por porque quando que
        quem se sem ser seu seus sua suas são também te tem teu tinha um uma você vocês à às é
    """,
    "it": """
        a ad agli ai al alla alle allo anche c che chi ci come con contro cui da dagli dai dal dalla dalle dallo
        degli dei del della delle dello di dove e ed era erano essere gli ha hanno ho i il in io la le lei li lo
        loro lui ma mi mia mio ne negli nei nel nella nelle nello noi non nostro o per perché più quale quando
        quella quello questa questo se sei si sia sono su sua sue sui sul sulla suo tra tu tutti tutto un una
        uno vi voi è
    """,
    "nl": """
        aan al alles als altijd andere ben bij daar dan dat de der deze die dit doch doen door dus een eens en er
        ge geen geweest haar had heb hebben heeft hem het hier hij hoe hun iemand iets ik in is ja je kan kon
        kunnen maar me meer men met mij mijn moet na naar niet niets nog nu of om omdat ons ook op over reeds te
        tegen toch toen tot u uit uw van veel voor want waren was wat we wel werd wezen wie wij wil worden zal ze
        zei zelf zich zij zijn zo zonder zou
    """,
    "sv": """
        alla allt att av blev bli blir de dem den denna deras dess det detta dig din dina ditt du där då efter ej
        eller en er era ett från för ha hade han hans har henne hennes hon honom hur här i icke ingen inom inte jag
        ju kan kunde man med mellan men mig min mina mitt mot mycket ni nu när någon något några och om oss på
        samma sedan sig sin sina sitta själv skulle som så sådan till under upp ut utan vad var vara varit vi vid
        vilken vår åt än är över
    """,
    "ru": """
        а без более бы был была были было быть в вам вас весь во вот все всего всех вы где да даже для до его
        ее если есть еще же за здесь и из или им их к как ко когда кто ли либо мне может мы на надо наш не него
        нее нет ни них но ну о об однако он она они оно от очень по под при с со так также такой там те тем то
        того тоже той только том ты у уже хотя чего чей чем что чтобы чье эта эти это я
    """,
    "pl": """
        a aby ale bardzo bez bo być był była były było co czy dla do gdy gdzie go i ich im jak jako jednak jego
        jej jest jeszcze jeśli już ją każdy kiedy kto która które który ma mi mnie może my na nad nie niż no o
        od on ona one oni oraz po pod przed przez przy również się sobie są ta tak także tam te tego tej ten też
        to tu tylko tym u w we wszystko z za że
    """,
    "id": """
        ada adalah agar akan aku anda antara atau bagi bahwa baik banyak belum bisa bukan dalam dan dari dengan
        di dia ia ini itu jika juga kami kamu karena ke kepada ketika kita lagi lain maka mereka oleh pada para
        saat saja sangat satu sebagai sebelum sedang sejak sekarang semua seperti setelah sudah tapi telah tentang
        tersebut tidak untuk walaupun yaitu yang
    """,
    "tr": """
        acaba ama ancak artık aslında bana bazı belki ben beni benim bir biraz birçok biri birkaç bu buna bunu
        bunun da daha de değil diye en gibi hem hep hepsi her hiç için ile ise kadar ki kim mi mu mü nasıl ne
        neden nerede o olan olarak oldu olduğu olmak on ona onlar onu onun sen siz şey şu ve veya ya yani
    """,
}

STOPWORDS: dict[str, frozenset[str]] = {language: frozenset(words.split()) for language, words in _LISTS.items()}
