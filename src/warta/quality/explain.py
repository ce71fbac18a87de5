"""Quality flags in words an editor understands: one sentence per flag, in Indonesian and English.

A segment's flags are stable reason strings, ``code`` or ``code:detail``
(:attr:`warta.quality.issues.QualityIssue.reason`): ``number_mismatch:12`` means the number 12 of
the source is missing from the translation. :func:`explain` turns one into a sentence for the
review desk, naming the detail where there is one; a code this module does not know (a check added
later) still gets a sentence, naming the code, never an error.

Codes come from :mod:`warta.quality.checks` (the estimator), :mod:`warta.text.restore` and
:mod:`warta.text.model_io` (placeholders and markup), the pipeline (``truncated``, ``empty``), the
newsroom (``source_changed_since_correction``) and corrections (``correction_dropped_link``,
``correction_dropped_number``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from warta.languages import Lang

# code -> {lang: (sentence without detail, sentence with %(detail)s or None)}
_Sentences = tuple[str, str | None]

_EN: dict[str, _Sentences] = {
    "low_logprob": (
        "The translation model was unsure of this sentence.",
        "The translation model was unsure of this sentence (score %(detail)s).",
    ),
    "length_ratio": (
        "The translation's length is unusual for the Indonesian sentence.",
        None,
    ),
    "length_ratio:long": (
        "The translation is much longer than the Indonesian sentence: something may be added.",
        None,
    ),
    "length_ratio:short": (
        "The translation is much shorter than the Indonesian sentence: something may be missing.",
        None,
    ),
    "number_mismatch": (
        "A number in the Indonesian sentence is missing from the translation.",
        "The number %(detail)s in the Indonesian sentence is missing from the translation.",
    ),
    "number_added": (
        "The translation has a number the Indonesian sentence does not have.",
        "The translation has the number %(detail)s, which the Indonesian sentence does not have.",
    ),
    "percent_missing": (
        "The Indonesian sentence gives a percentage, the translation does not.",
        None,
    ),
    "currency_missing": (
        "A currency in the Indonesian sentence is missing from the translation.",
        "The currency %(detail)s in the Indonesian sentence is missing from the translation.",
    ),
    "url_missing": (
        "A web address in the Indonesian sentence is missing from the translation.",
        "The web address %(detail)s is missing from the translation.",
    ),
    "email_missing": (
        "An email address in the Indonesian sentence is missing from the translation.",
        "The email address %(detail)s is missing from the translation.",
    ),
    "glossary_missing": (
        "A glossary term is not rendered the way the glossary says.",
        "The glossary term \u201c%(detail)s\u201d is not rendered the way the glossary says.",
    ),
    "name_missing": (
        "A name in the Indonesian sentence may be missing from the translation.",
        "The name %(detail)s may be missing from the translation.",
    ),
    "names_missing": (
        "Most names of the Indonesian sentence are missing: it may be the wrong sentence.",
        "Most names of the Indonesian sentence are missing (%(detail)s): "
        "it may be the wrong sentence.",
    ),
    "untranslated": ("The sentence was left in Indonesian.", None),
    "wrong_language": (
        "The translation is not in the edition's language.",
        "The translation looks like another language (%(detail)s), not the edition's.",
    ),
    "wrong_script": (
        "The translation is written in the wrong script for this language.",
        "The translation is written in the wrong script (%(detail)s) for this language.",
    ),
    "repetition": ("The translation repeats words or phrases over and over.", None),
    "empty": ("The translation is empty.", None),
    "truncated": ("The translation was cut off before the end of the sentence.", None),
    "unterminated": ("The translation stops in the middle of the sentence.", None),
    "negation_missing": (
        "The Indonesian sentence says \u201cnot\u201d; the translation may have lost the negation.",
        None,
    ),
    "placeholder_unknown": (
        "The model invented a protected item (number, link, term) the source does not have; "
        "it was removed.",
        None,
    ),
    "placeholder_lost": (
        "The model dropped a protected item (number, link, term); it was put back where it "
        "most likely belongs.",
        None,
    ),
    "placeholder_duplicated": (
        "The model repeated a protected item (number, link, term); the extra copy was removed.",
        None,
    ),
    "placeholder_mangled": (
        "The model changed a protected item (number, link, term); it was restored.",
        None,
    ),
    "markup_lost": (
        "Formatting or a link of the Indonesian sentence could not be placed in the translation.",
        None,
    ),
    "markup_extra": (
        "The translation has formatting or a link that the Indonesian sentence does not have.",
        None,
    ),
    "source_changed_since_correction": (
        "The Indonesian sentence changed after an editor corrected it: the earlier correction "
        "is shown as a suggestion.",
        None,
    ),
    "correction_dropped_link": (
        "The correction has no link, but the Indonesian sentence has one.",
        "The correction lacks the link %(detail)s that the Indonesian sentence has.",
    ),
    "correction_dropped_number": (
        "The correction lacks a number that the Indonesian sentence has.",
        "The correction lacks the number %(detail)s that the Indonesian sentence has.",
    ),
}

_ID: dict[str, _Sentences] = {
    "low_logprob": (
        "Model penerjemah ragu pada kalimat ini.",
        "Model penerjemah ragu pada kalimat ini (skor %(detail)s).",
    ),
    "length_ratio": ("Panjang terjemahan tidak wajar untuk kalimat Indonesianya.", None),
    "length_ratio:long": (
        "Terjemahan jauh lebih panjang daripada kalimat Indonesianya: mungkin ada tambahan.",
        None,
    ),
    "length_ratio:short": (
        "Terjemahan jauh lebih pendek daripada kalimat Indonesianya: mungkin ada yang hilang.",
        None,
    ),
    "number_mismatch": (
        "Sebuah angka dalam kalimat Indonesia tidak ada dalam terjemahan.",
        "Angka %(detail)s dalam kalimat Indonesia tidak ada dalam terjemahan.",
    ),
    "number_added": (
        "Terjemahan memuat angka yang tidak ada dalam kalimat Indonesia.",
        "Terjemahan memuat angka %(detail)s yang tidak ada dalam kalimat Indonesia.",
    ),
    "percent_missing": (
        "Kalimat Indonesia menyebut persentase, terjemahannya tidak.",
        None,
    ),
    "currency_missing": (
        "Mata uang dalam kalimat Indonesia tidak ada dalam terjemahan.",
        "Mata uang %(detail)s dalam kalimat Indonesia tidak ada dalam terjemahan.",
    ),
    "url_missing": (
        "Alamat web dalam kalimat Indonesia tidak ada dalam terjemahan.",
        "Alamat web %(detail)s tidak ada dalam terjemahan.",
    ),
    "email_missing": (
        "Alamat email dalam kalimat Indonesia tidak ada dalam terjemahan.",
        "Alamat email %(detail)s tidak ada dalam terjemahan.",
    ),
    "glossary_missing": (
        "Istilah glosarium tidak diterjemahkan sesuai glosarium.",
        "Istilah glosarium \u201c%(detail)s\u201d tidak diterjemahkan sesuai glosarium.",
    ),
    "name_missing": (
        "Sebuah nama dalam kalimat Indonesia mungkin hilang dari terjemahan.",
        "Nama %(detail)s mungkin hilang dari terjemahan.",
    ),
    "names_missing": (
        "Sebagian besar nama dalam kalimat Indonesia hilang: mungkin kalimatnya keliru.",
        "Sebagian besar nama dalam kalimat Indonesia hilang (%(detail)s): "
        "mungkin kalimatnya keliru.",
    ),
    "untranslated": ("Kalimat ini dibiarkan dalam bahasa Indonesia.", None),
    "wrong_language": (
        "Terjemahan tidak dalam bahasa edisi ini.",
        "Terjemahan tampak berbahasa lain (%(detail)s), bukan bahasa edisi ini.",
    ),
    "wrong_script": (
        "Terjemahan ditulis dengan aksara yang salah untuk bahasa ini.",
        "Terjemahan ditulis dengan aksara yang salah (%(detail)s) untuk bahasa ini.",
    ),
    "repetition": ("Terjemahan mengulang kata atau frasa berkali-kali.", None),
    "empty": ("Terjemahannya kosong.", None),
    "truncated": ("Terjemahan terpotong sebelum akhir kalimat.", None),
    "unterminated": ("Terjemahan berhenti di tengah kalimat.", None),
    "negation_missing": (
        "Kalimat Indonesia memuat \u201ctidak/bukan\u201d; terjemahannya mungkin kehilangan "
        "penyangkalan itu.",
        None,
    ),
    "placeholder_unknown": (
        "Model menambahkan unsur terlindung (angka, tautan, istilah) yang tidak ada di sumber; "
        "unsur itu dihapus.",
        None,
    ),
    "placeholder_lost": (
        "Model menghilangkan unsur terlindung (angka, tautan, istilah); unsur itu dikembalikan "
        "ke tempat yang paling mungkin.",
        None,
    ),
    "placeholder_duplicated": (
        "Model mengulang unsur terlindung (angka, tautan, istilah); salinan lebihnya dihapus.",
        None,
    ),
    "placeholder_mangled": (
        "Model mengubah unsur terlindung (angka, tautan, istilah); unsur itu dipulihkan.",
        None,
    ),
    "markup_lost": (
        "Format atau tautan kalimat Indonesia tidak dapat ditempatkan dalam terjemahan.",
        None,
    ),
    "markup_extra": (
        "Terjemahan memuat format atau tautan yang tidak ada dalam kalimat Indonesia.",
        None,
    ),
    "source_changed_since_correction": (
        "Kalimat Indonesia berubah setelah dikoreksi editor: koreksi sebelumnya ditampilkan "
        "sebagai saran.",
        None,
    ),
    "correction_dropped_link": (
        "Koreksi tidak memuat tautan, padahal kalimat Indonesia memilikinya.",
        "Koreksi tidak memuat tautan %(detail)s yang ada dalam kalimat Indonesia.",
    ),
    "correction_dropped_number": (
        "Koreksi tidak memuat angka yang ada dalam kalimat Indonesia.",
        "Koreksi tidak memuat angka %(detail)s yang ada dalam kalimat Indonesia.",
    ),
}

_UNKNOWN = {
    Lang.EN: "An automatic check doubted this sentence (%(code)s).",
    Lang.ID: "Pemeriksaan otomatis meragukan kalimat ini (%(code)s).",
}
_TABLES = {Lang.EN: _EN, Lang.ID: _ID}

#: Every flag code this module explains (``length_ratio:long``/``:short`` count as one).
FLAG_CODES: frozenset[str] = frozenset(code for code in _EN if ":" not in code)


@dataclass(frozen=True, slots=True)
class Explanation:
    flag: str  # as stored ("number_mismatch:12")
    code: str  # "number_mismatch"
    detail: str  # "12", or ""
    text: str  # the sentence for the editor


def split_flag(flag: str) -> tuple[str, str]:
    """``"number_mismatch:12"`` -> ``("number_mismatch", "12")``; no detail -> ``""``."""
    code, _, detail = flag.partition(":")
    return code.strip(), detail.strip()


def explain(flag: str, *, lang: Lang = Lang.EN) -> str:
    """One sentence saying what ``flag`` means, in Indonesian or English (others: English)."""
    table = _TABLES.get(lang, _EN)
    unknown = _UNKNOWN.get(lang, _UNKNOWN[Lang.EN])
    code, detail = split_flag(flag)
    exact = table.get(f"{code}:{detail}") if detail else None
    if exact is not None:
        return exact[0]
    found = table.get(code)
    if found is None:
        return unknown % {"code": flag.strip() or "?"}
    plain, detailed = found
    if detail and detailed is not None:
        return detailed % {"detail": detail}
    return plain


def explain_all(flags: Iterable[str], *, lang: Lang = Lang.EN) -> list[Explanation]:
    """Each distinct flag with its sentence, in the order given."""
    out: list[Explanation] = []
    for flag in dict.fromkeys(flags):
        code, detail = split_flag(flag)
        out.append(Explanation(flag=flag, code=code, detail=detail, text=explain(flag, lang=lang)))
    return out
