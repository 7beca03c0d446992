"""The language benchmark's texts: news-style sentences written for this benchmark by the newsclean team (no corpus
was downloaded or copied), eight per language, in 19 languages across Latin, Cyrillic, Arabic, Han, Kana and Hangul
scripts. bench/language.py scores each sentence's first words (headline-length texts), each sentence alone (short
texts) and runs of four sentences joined as two
paragraphs (long texts)."""
from __future__ import annotations

SENTENCES: dict[str, list[str]] = {
    "en": [
        "The city council voted on Tuesday to raise bus fares for the first time in six years.",
        "Heavy rain forced organisers to postpone the final match until the weekend.",
        "Shares in the carmaker fell sharply after it cut its profit forecast for the year.",
        "Police said two people were taken to hospital with minor injuries after the crash.",
        "The minister told reporters that talks with the unions would resume next month.",
        "Farmers warned that the drought could halve this year's wheat harvest.",
        "A new study suggests that children who read every day sleep better at night.",
        "The museum will reopen in the spring after a renovation that lasted three years.",
    ],
    "de": [
        "Der Stadtrat hat am Dienstag beschlossen, die Fahrpreise für Busse zu erhöhen.",
        "Wegen starker Regenfälle wurde das Finale auf das Wochenende verschoben.",
        "Die Aktie des Autobauers brach ein, nachdem das Unternehmen seine Prognose gesenkt hatte.",
        "Nach Angaben der Polizei wurden bei dem Unfall zwei Menschen leicht verletzt.",
        "Die Ministerin sagte, die Gespräche mit den Gewerkschaften würden im nächsten Monat fortgesetzt.",
        "Landwirte warnen, dass die Dürre die Weizenernte in diesem Jahr halbieren könnte.",
        "Eine neue Studie zeigt, dass Kinder, die täglich lesen, nachts besser schlafen.",
        "Das Museum wird nach dreijähriger Renovierung im Frühjahr wieder geöffnet.",
    ],
    "fr": [
        "Le conseil municipal a voté mardi une hausse du prix des tickets de bus.",
        "En raison de fortes pluies, la finale a été reportée au week-end.",
        "L'action du constructeur automobile a chuté après la révision de ses prévisions.",
        "Selon la police, deux personnes ont été légèrement blessées dans l'accident.",
        "La ministre a déclaré que les négociations avec les syndicats reprendraient le mois prochain.",
        "Les agriculteurs craignent que la sécheresse ne divise par deux la récolte de blé.",
        "Une nouvelle étude montre que les enfants qui lisent chaque jour dorment mieux.",
        "Le musée rouvrira au printemps après trois ans de travaux de rénovation.",
    ],
    "es": [
        "El ayuntamiento aprobó el martes una subida del precio del billete de autobús.",
        "Las fuertes lluvias obligaron a aplazar la final hasta el fin de semana.",
        "Las acciones del fabricante de coches cayeron tras rebajar sus previsiones de beneficios.",
        "Según la policía, dos personas resultaron heridas leves en el accidente.",
        "La ministra dijo que las negociaciones con los sindicatos se reanudarán el próximo mes.",
        "Los agricultores advierten de que la sequía podría reducir a la mitad la cosecha de trigo.",
        "Un nuevo estudio indica que los niños que leen a diario duermen mejor por la noche.",
        "El museo volverá a abrir en primavera tras tres años de obras de renovación.",
    ],
    "it": [
        "Il consiglio comunale ha approvato martedì l'aumento del prezzo dei biglietti dell'autobus.",
        "A causa delle forti piogge la finale è stata rinviata al fine settimana.",
        "Le azioni della casa automobilistica sono crollate dopo il taglio delle previsioni.",
        "Secondo la polizia, due persone sono rimaste leggermente ferite nell'incidente.",
        "La ministra ha detto che i negoziati con i sindacati riprenderanno il mese prossimo.",
        "Gli agricoltori temono che la siccità possa dimezzare il raccolto di grano di quest'anno.",
        "Un nuovo studio suggerisce che i bambini che leggono ogni giorno dormono meglio.",
        "Il museo riaprirà in primavera dopo tre anni di lavori di ristrutturazione.",
    ],
    "pt": [
        "A câmara municipal aprovou na terça-feira o aumento do preço das passagens de ônibus.",
        "As fortes chuvas obrigaram os organizadores a adiar a final para o fim de semana.",
        "As ações da montadora despencaram depois que a empresa reduziu a previsão de lucro.",
        "Segundo a polícia, duas pessoas ficaram levemente feridas no acidente.",
        "A ministra afirmou que as negociações com os sindicatos serão retomadas no próximo mês.",
        "Os agricultores alertam que a seca pode reduzir pela metade a colheita de trigo.",
        "Um novo estudo sugere que as crianças que leem todos os dias dormem melhor à noite.",
        "O museu será reaberto na primavera depois de três anos de obras de restauração.",
    ],
    "nl": [
        "De gemeenteraad heeft dinsdag besloten de prijs van een buskaartje te verhogen.",
        "Door zware regenval is de finale uitgesteld tot het weekend.",
        "Het aandeel van de autofabrikant kelderde nadat het bedrijf zijn winstverwachting verlaagde.",
        "Volgens de politie raakten bij het ongeluk twee mensen lichtgewond.",
        "De minister zei dat de gesprekken met de vakbonden volgende maand worden hervat.",
        "Boeren waarschuwen dat de droogte de tarweoogst dit jaar kan halveren.",
        "Uit een nieuw onderzoek blijkt dat kinderen die elke dag lezen 's nachts beter slapen.",
        "Het museum gaat in het voorjaar weer open na een verbouwing van drie jaar.",
    ],
    "pl": [
        "Rada miasta zdecydowała we wtorek o podwyżce cen biletów autobusowych.",
        "Z powodu ulewnych deszczy finał przełożono na weekend.",
        "Akcje producenta samochodów gwałtownie spadły po obniżeniu prognozy zysków.",
        "Według policji w wypadku dwie osoby zostały lekko ranne.",
        "Minister powiedziała, że rozmowy ze związkami zawodowymi zostaną wznowione w przyszłym miesiącu.",
        "Rolnicy ostrzegają, że susza może o połowę zmniejszyć tegoroczne zbiory pszenicy.",
        "Nowe badanie sugeruje, że dzieci, które czytają codziennie, lepiej śpią w nocy.",
        "Muzeum zostanie ponownie otwarte wiosną po trzech latach remontu.",
    ],
    "tr": [
        "Belediye meclisi salı günü otobüs bileti fiyatlarının artırılmasına karar verdi.",
        "Şiddetli yağmur nedeniyle final maçı hafta sonuna ertelendi.",
        "Otomobil üreticisinin hisseleri, şirketin kâr beklentisini düşürmesinin ardından sert düştü.",
        "Polisin açıklamasına göre kazada iki kişi hafif yaralandı.",
        "Bakan, sendikalarla görüşmelerin gelecek ay yeniden başlayacağını söyledi.",
        "Çiftçiler kuraklığın bu yılki buğday hasadını yarıya indirebileceği konusunda uyarıyor.",
        "Yeni bir araştırma, her gün kitap okuyan çocukların geceleri daha iyi uyuduğunu gösteriyor.",
        "Müze, üç yıl süren restorasyon çalışmalarının ardından ilkbaharda yeniden açılacak.",
    ],
    "sv": [
        "Kommunfullmäktige beslutade på tisdagen att höja priset på bussbiljetter.",
        "Kraftigt regn tvingade arrangörerna att skjuta upp finalen till helgen.",
        "Biltillverkarens aktie rasade efter att bolaget sänkt sin vinstprognos.",
        "Enligt polisen skadades två personer lindrigt i olyckan.",
        "Ministern sade att förhandlingarna med facket återupptas nästa månad.",
        "Bönder varnar för att torkan kan halvera årets veteskörd.",
        "En ny studie visar att barn som läser varje dag sover bättre på natten.",
        "Museet öppnar igen i vår efter en renovering som pågått i tre år.",
    ],
    "cs": [
        "Městské zastupitelstvo v úterý rozhodlo o zdražení jízdenek na autobus.",
        "Kvůli silnému dešti bylo finále odloženo na víkend.",
        "Akcie automobilky prudce klesly poté, co firma snížila odhad zisku.",
        "Podle policie se při nehodě lehce zranili dva lidé.",
        "Ministryně řekla, že jednání s odbory budou pokračovat příští měsíc.",
        "Zemědělci varují, že sucho může letošní sklizeň pšenice snížit na polovinu.",
        "Nová studie naznačuje, že děti, které každý den čtou, v noci lépe spí.",
        "Muzeum se po třech letech rekonstrukce znovu otevře na jaře.",
    ],
    "ru": [
        "Городской совет во вторник проголосовал за повышение стоимости проезда в автобусах.",
        "Из-за сильных дождей финальный матч перенесли на выходные.",
        "Акции автопроизводителя резко упали после того, как компания снизила прогноз прибыли.",
        "По данным полиции, в результате аварии два человека получили лёгкие травмы.",
        "Министр заявила, что переговоры с профсоюзами возобновятся в следующем месяце.",
        "Фермеры предупреждают, что засуха может вдвое сократить урожай пшеницы в этом году.",
        "Новое исследование показывает, что дети, которые читают каждый день, лучше спят ночью.",
        "Музей откроется весной после реконструкции, которая длилась три года.",
    ],
    "uk": [
        "Міська рада у вівторок проголосувала за підвищення вартості проїзду в автобусах.",
        "Через сильні дощі фінальний матч перенесли на вихідні.",
        "Акції автовиробника різко впали після того, як компанія знизила прогноз прибутку.",
        "За даними поліції, внаслідок аварії двоє людей отримали легкі травми.",
        "Міністерка заявила, що переговори з профспілками відновляться наступного місяця.",
        "Фермери попереджають, що посуха може вдвічі скоротити врожай пшениці цього року.",
        "Нове дослідження показує, що діти, які читають щодня, краще сплять уночі.",
        "Музей відкриється навесні після реконструкції, яка тривала три роки.",
    ],
    "bg": [
        "Общинският съвет гласува във вторник увеличение на цената на билетите за автобус.",
        "Заради силните дъждове финалът беше отложен за уикенда.",
        "Акциите на автомобилния производител се сринаха, след като компанията намали прогнозата си за печалба.",
        "По данни на полицията двама души са леко ранени при катастрофата.",
        "Министърката каза, че преговорите със синдикатите ще бъдат подновени следващия месец.",
        "Фермерите предупреждават, че сушата може да намали наполовина реколтата от пшеница.",
        "Ново проучване показва, че децата, които четат всеки ден, спят по-добре през нощта.",
        "Музеят ще бъде отворен отново през пролетта след тригодишен ремонт.",
    ],
    "ar": [
        "صوّت مجلس المدينة يوم الثلاثاء على رفع أسعار تذاكر الحافلات لأول مرة منذ ست سنوات.",
        "أجبرت الأمطار الغزيرة المنظمين على تأجيل المباراة النهائية إلى عطلة نهاية الأسبوع.",
        "تراجعت أسهم شركة السيارات بشكل حاد بعد أن خفضت توقعاتها للأرباح.",
        "قالت الشرطة إن شخصين أصيبا بجروح طفيفة في الحادث.",
        "أكدت الوزيرة أن المفاوضات مع النقابات ستستأنف الشهر المقبل.",
        "حذر المزارعون من أن الجفاف قد يخفض محصول القمح هذا العام إلى النصف.",
        "تشير دراسة جديدة إلى أن الأطفال الذين يقرؤون كل يوم ينامون بشكل أفضل ليلا.",
        "سيعيد المتحف فتح أبوابه في الربيع بعد أعمال ترميم استمرت ثلاث سنوات.",
    ],
    "fa": [
        "شورای شهر روز سه‌شنبه به افزایش قیمت بلیت اتوبوس رأی داد.",
        "باران شدید برگزارکنندگان را مجبور کرد مسابقه نهایی را به آخر هفته موکول کنند.",
        "سهام این خودروساز پس از کاهش پیش‌بینی سود شرکت به شدت سقوط کرد.",
        "به گفته پلیس دو نفر در این تصادف به طور جزئی زخمی شدند.",
        "وزیر گفت که مذاکرات با اتحادیه‌ها ماه آینده از سر گرفته می‌شود.",
        "کشاورزان هشدار می‌دهند که خشکسالی ممکن است برداشت گندم امسال را نصف کند.",
        "یک پژوهش تازه نشان می‌دهد کودکانی که هر روز کتاب می‌خوانند شب‌ها بهتر می‌خوابند.",
        "این موزه پس از سه سال بازسازی در بهار دوباره بازگشایی می‌شود.",
    ],
    "zh": [
        "市议会周二投票决定六年来首次上调公交车票价。",
        "由于大雨，组织者不得不将决赛推迟到周末举行。",
        "这家汽车制造商下调全年利润预期后，其股价大幅下跌。",
        "警方表示，事故中有两人受轻伤，已被送往医院。",
        "部长对记者说，与工会的谈判将于下个月恢复。",
        "农民警告说，干旱可能使今年的小麦收成减少一半。",
        "一项新研究表明，每天阅读的孩子晚上睡得更好。",
        "这座博物馆经过三年的翻修后将于春季重新开放。",
    ],
    "ja": [
        "市議会は火曜日、六年ぶりにバスの運賃を値上げすることを決めました。",
        "大雨のため、決勝戦は週末に延期されることになった。",
        "自動車メーカーが今年の利益予想を引き下げたことで、株価が大きく下落した。",
        "警察によると、この事故で二人が軽いけがをして病院に運ばれたということです。",
        "大臣は記者団に対し、労働組合との交渉を来月再開すると述べた。",
        "農家は、干ばつによって今年の小麦の収穫が半分に減る可能性があると警告している。",
        "新しい研究によると、毎日本を読む子どもは夜によく眠れるという。",
        "博物館は三年間の改修工事を終え、春に再開館する予定だ。",
    ],
    "ko": [
        "시의회는 화요일 6년 만에 처음으로 버스 요금을 인상하기로 의결했다.",
        "폭우로 인해 주최 측은 결승전을 주말로 연기했다.",
        "자동차 제조업체의 주가는 회사가 연간 이익 전망을 낮춘 뒤 급락했다.",
        "경찰에 따르면 이번 사고로 두 명이 가벼운 부상을 입었다.",
        "장관은 노조와의 협상이 다음 달 재개될 것이라고 기자들에게 말했다.",
        "농민들은 가뭄으로 올해 밀 수확량이 절반으로 줄어들 수 있다고 경고했다.",
        "새로운 연구에 따르면 매일 책을 읽는 아이들은 밤에 더 잘 잔다.",
        "박물관은 3년간의 보수 공사를 마치고 봄에 다시 문을 연다.",
    ],
}


def short_texts() -> list[tuple[str, str]]:
    """(language, one sentence) for every sentence."""
    return [(language, sentence) for language, sentences in SENTENCES.items() for sentence in sentences]


def headline_texts() -> list[tuple[str, str]]:
    """(language, the first words of a sentence): three words, or eight characters in scripts written without spaces
    (zh, ja): as short as a headline or a caption."""
    return [(language, sentence[:8] if language in ("zh", "ja") else " ".join(sentence.split()[:3]))
            for language, sentence in short_texts()]


def long_texts() -> list[tuple[str, str]]:
    """(language, two paragraphs of two sentences each): every window of four consecutive sentences (cyclically),
    so each language has as many long texts as sentences."""
    texts = []
    for language, sentences in SENTENCES.items():
        count = len(sentences)
        for start in range(count):
            window = [sentences[(start + offset) % count] for offset in range(4)]
            separator = "" if language in ("zh", "ja") else " "
            texts.append((language, separator.join(window[:2]) + "\n\n" + separator.join(window[2:])))
    return texts
