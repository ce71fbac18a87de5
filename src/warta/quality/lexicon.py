"""Word lists the checks need: number words and scales, names that are not names, negations.

Not exhaustive, and not meant to be: a missing number word or negation makes a false flag on a
correct translation, never a missed error; the lists were grown on the first half of FLORES-101
dev until the false flags they caused were rare (see ``data/calibration/report.md``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from warta.languages import Lang

# fmt: off

# Scale words after a number: "2,5 juta" = "2.5 million" = "250万".
SCALES: Mapping[Lang, Mapping[str, int]] = {
    Lang.ID: {"puluh": 10, "ratus": 10**2, "ribu": 10**3, "rb": 10**3, "juta": 10**6,
              "jt": 10**6, "miliar": 10**9, "milyar": 10**9, "triliun": 10**12},
    Lang.EN: {"thousand": 10**3, "million": 10**6, "millions": 10**6, "billion": 10**9,
              "billions": 10**9, "trillion": 10**12, "bn": 10**9},
    Lang.FR: {"mille": 10**3, "million": 10**6, "millions": 10**6, "milliard": 10**9,
              "milliards": 10**9, "billion": 10**12, "billions": 10**12},
    Lang.ZH: {"千万": 10**7, "万亿": 10**12, "千": 10**3, "万": 10**4, "萬": 10**4,
              "亿": 10**8, "億": 10**8},
    Lang.JA: {"千万": 10**7, "千": 10**3, "万": 10**4, "萬": 10**4, "億": 10**8,
              "兆": 10**12},
    Lang.AR: {"ألف": 10**3, "الف": 10**3, "آلاف": 10**3, "ألاف": 10**3, "مليون": 10**6,
              "ملايين": 10**6, "مليار": 10**9, "مليارات": 10**9, "بليون": 10**9,
              "تريليون": 10**12, "ترليون": 10**12},
}

# Number words that stand for digits: small cardinals, ordinals, bare scales ("a million").
# Fractions map to their denominator ("a third" ~ "1/3" ~ "3分の1").
NUMBER_WORDS: Mapping[Lang, Mapping[str, int]] = {
    Lang.EN: {
        "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
        "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
        "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
        "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
        "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12,
        "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
        "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "once": 1, "twice": 2,
        "single": 1, "double": 2, "both": 2, "half": 2, "quarter": 4, "pair": 2,
        "thousand": 1000, "million": 10**6, "billion": 10**9,
    },
    Lang.FR: {
        "zéro": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
        "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13,
        "quatorze": 14, "quinze": 15, "seize": 16, "vingt": 20, "trente": 30, "quarante": 40,
        "cinquante": 50, "soixante": 60, "cent": 100, "mille": 1000, "premier": 1,
        "première": 1, "deuxième": 2, "second": 2, "seconde": 2, "troisième": 3,
        "quatrième": 4, "cinquième": 5, "sixième": 6, "septième": 7, "huitième": 8,
        "neuvième": 9, "dixième": 10, "moitié": 2, "demi": 2, "quart": 4, "tiers": 3,
        "double": 2, "douzaine": 12, "million": 10**6, "milliard": 10**9,
    },
    Lang.AR: {
        "صفر": 0, "واحد": 1, "واحدة": 1, "حادي": 1, "الحادي": 1, "أول": 1, "الأول": 1,
        "الأولى": 1, "اثنان": 2, "اثنين": 2, "اثنتين": 2, "اثنتان": 2, "ثاني": 2, "الثاني": 2,
        "الثانية": 2, "ثلاثة": 3, "ثلاث": 3, "ثالث": 3, "الثالث": 3, "الثالثة": 3, "ثلث": 3,
        "أربعة": 4, "أربع": 4, "رابع": 4, "الرابع": 4, "ربع": 4, "خمسة": 5, "خمس": 5,
        "الخامس": 5, "ستة": 6, "ست": 6, "السادس": 6, "سبعة": 7, "سبع": 7, "السابع": 7,
        "ثمانية": 8, "ثماني": 8, "ثمان": 8, "الثامن": 8, "تسعة": 9, "تسع": 9, "التاسع": 9,
        "عشرة": 10, "عشر": 10, "العاشر": 10, "الخامسة": 5, "السادسة": 6, "السابعة": 7,
        "الثامنة": 8, "التاسعة": 9, "العاشرة": 10, "عشرون": 20, "عشرين": 20, "ثلاثون": 30,
        "ثلاثين": 30, "أربعون": 40, "أربعين": 40, "خمسون": 50, "خمسين": 50, "ستون": 60,
        "ستين": 60, "سبعون": 70, "سبعين": 70, "ثمانون": 80, "ثمانين": 80, "تسعون": 90,
        "تسعين": 90, "مائة": 100, "مئة": 100, "نصف": 2, "مرتين": 2, "ضعف": 2, "ألف": 1000,
        "مليون": 10**6, "مليار": 10**9,
        # duals of scales: مليوني = two million
        "مليوني": 2 * 10**6, "مليونين": 2 * 10**6, "ألفي": 2000, "ألفين": 2000, "ألفا": 2000,
        # decades, read as the 20th century's: السبعينات = the 1970s
        "العشرينات": 1920, "عشرينيات": 1920, "الثلاثينات": 1930, "ثلاثينيات": 1930,
        "الأربعينات": 1940, "أربعينيات": 1940, "الخمسينات": 1950, "خمسينيات": 1950,
        "الستينات": 1960, "ستينيات": 1960, "السبعينات": 1970, "سبعينيات": 1970,
        "الثمانينات": 1980, "ثمانينيات": 1980, "التسعينات": 1990, "تسعينيات": 1990,
    },
    Lang.ID: {
        "nol": 0, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6,
        "tujuh": 7, "delapan": 8, "sembilan": 9, "sepuluh": 10, "sebelas": 11,
        "seratus": 100, "seribu": 1000, "sejuta": 10**6, "pertama": 1, "kedua": 2,
        "ketiga": 3, "keempat": 4, "kelima": 5, "keenam": 6, "ketujuh": 7, "kedelapan": 8,
        "kesembilan": 9, "kesepuluh": 10, "setengah": 2, "separuh": 2, "sepertiga": 3,
        "seperempat": 4, "puluh": 10, "belas": 10,
    },
}

# Arabic glues conjunctions and prepositions to the word: و (and), ب (with), ل (for), ال (the).
AR_PREFIXES = ("وال", "بال", "لل", "ال", "و", "ب", "ل")

CJK_DIGITS: Mapping[str, int] = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6,
    "七": 7, "八": 8, "九": 9,
}
CJK_SMALL_UNITS: Mapping[str, int] = {"十": 10, "百": 100, "千": 1000}
CJK_BIG_UNITS: Mapping[str, int] = {
    "万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8, "兆": 10**12,
}

# Capitalised Indonesian words that are not names, or are names a translation translates
# (days, months, titles, place words, Indonesian spellings of countries and cities).
NOT_NAMES = frozenset("""
    senin selasa rabu kamis jumat sabtu minggu januari februari maret april mei juni juli
    agustus september oktober november desember presiden wakil menteri perdana gubernur bupati
    wali walikota raja ratu pangeran putri jenderal kapten kolonel letnan mayor sersan profesor
    dokter doktor bapak ibu pak bu tuan nyonya saudara anda dia ia mereka kami kita saya aku
    universitas sekolah institut jalan provinsi kabupaten kota kecamatan desa pulau kepulauan
    gunung sungai danau laut samudra teluk selat tanjung lembah taman istana masjid gereja
    kuil candi museum stasiun bandara pelabuhan rumah sakit partai perang dunia negara
    kerajaan republik kementerian departemen badan dewan komisi majelis mahkamah pengadilan
    polisi tentara angkatan pasukan utara selatan timur barat tengah raya besar agung baru lama
    amerika serikat inggris jepang tiongkok cina china belanda jerman prancis perancis spanyol
    italia rusia arab mesir eropa asia afrika yunani turki india korea kanada meksiko brasil
    portugis swiss swedia norwegia denmark polandia austria belgia irlandia skotlandia
    selandia filipina vietnam thailand malaysia singapura australia antarktika kristen islam
    katolik yahudi hindu buddha tuhan allah nabi natal paskah lebaran olimpiade piala liga
    bumi matahari mentari nasional internasional hukum terbaik pusat parlemen ketua badai hitam
    putih merah bahasa pemimpin skuadron lapangan musim semi panas dingin gugur terbuka tanah
    tinggi seni sains jembatan hakim kongres komunitas akhir awal suku sistem layanan balai
    tenggara kepolisian siklon pemerintah pemerintahan kejuaraan pembalap armada kesehatan
    kategori skala penerbangan pertandingan kantor kutub pasal konstitusi perlombaan antariksa
    kepresidenan pertempuran penyiaran penyisihan pengawas aset saluran pipa uni britania
    perserikatan bangsa bangsa-bangsa persatuan federasi asosiasi organisasi perusahaan bank
    pasar bursa kapal kereta pesawat bintang planet galaksi katedral santo santa sang sri
    revolusi kemerdekaan proklamasi deklarasi piagam islandia kamboja asiria sansekerta irak
    luksemburg hongaria afganistan kalifornia etiopia bukares rumania maladewa kopenhagen
    makkah mekah yordania suriah aljazair maroko libia skandinavia siberia mesopotamia romawi
    persia babilonia ibrani latin karibia pasifik atlantik hindia mediterania balkan himalaya
    amazon nil sahara tahun abad bulan hari pada dan atau yang di ke dari untuk dengan dalam ini
    itu tetapi namun sementara setelah sebelum ketika saat sejak karena jika meskipun bahkan
    menurut sebagai para seorang sebuah beberapa banyak semua setiap tidak bukan juga masih
    sudah telah akan the of
""".split())  # noqa: SIM905 -- a word list reads better as text

# Indonesian function words, left out when looking for a content word the source repeats.
ID_FUNCTION_WORDS = frozenset("""
    yang dengan untuk dari pada dalam adalah akan tidak juga atau karena oleh telah sudah lebih
    saat ketika mereka bahwa dapat bisa para sebagai tersebut seperti antara setelah sebelum
    tahun banyak hanya masih tetapi namun sangat harus secara
""".split())  # noqa: SIM905 -- a word list reads better as text

# fmt: on

NEGATION_SOURCE = re.compile(
    r"\b(?:tidak|tak|bukan|bukanlah|belum|jangan|tiada|tanpa|enggak|nggak|gak)\b", re.IGNORECASE
)

# Negation in each target language, lexical negation (unhurt, incassable) included: a target
# that negates in any of these ways is not reported as having dropped the source's negation.
NEGATION: Mapping[Lang, re.Pattern[str]] = {
    Lang.EN: re.compile(
        r"\b(?:not|no|never|none|nobody|nothing|nowhere|neither|nor|without|cannot|unable|"
        r"impossible|lack|lacks|lacked|lacking|fail|fails|failed|refuse[sd]?|den(?:y|ies|ied)|"
        r"absent|free|instead|rather|hardly|barely|little|few|unless|devoid|less|unknown)\b|n't\b"
        r"|\bun(?!der|til|it|iv|iq|ion|cle)[a-z]{3,}|\b(?:in|im|ir|il)[a-z]+(?:able|ible)\b"
        r"|\b(?:inevitabl|incapab|incorrect|incomplet|insufficien|inadequat|impossib|disagree|"
        r"dislik|disallow|disapprov)[a-z]*|\b[a-z]{3,}less(?:ly|ness)?\b",
        re.IGNORECASE,
    ),
    Lang.FR: re.compile(
        r"\b(?:ne|pas|jamais|sans|aucun|aucune|rien|personne|ni|non|guère|impossible|"
        r"incapable|refus\w*|manqu\w*|absence|absent|plutôt|peu|moins|indemne|ignor\w*)\b"
        r"|\bn['’]|\b(?:in|im|il|ir)\w+(?:able|ible)s?\b",
        re.IGNORECASE,
    ),
    Lang.ZH: re.compile(r"[不没未无非别勿否莫]"),
    Lang.JA: re.compile(r"ない|なく|なかっ|ません|ず|ぬ|無|未|不|非|否|せん|なし"),
    Lang.AR: re.compile(
        r"(?<!\w)(?:[وف]?(?:لا|لم|لن|ليس|ليست|ليسوا|لست|ما|غير|بدون|دون|عدم|بلا|إلا|سوى))(?!\w)"
    ),
}
