"""Sentence boundaries and datelines, on real IndoSum news text (demo/indosum-sample.jsonl).

Each case is the list of sentences a paragraph must be cut into; the paragraph itself is those
sentences joined by single spaces (as they are in the sample). Where the sample has no instance of
a rule, the case is written for it and says so.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from warta.text.sentences import dateline_end, split

SAMPLE = Path(__file__).parents[2] / "src" / "warta" / "demo" / "indosum-sample.jsonl"

CASES: list[tuple[str, list[str]]] = [
    (
        # kumparan: a quotation of three sentences, closed later in the paragraph: one segment.
        "quote spanning sentences",
        [
            '"Tidak hanya tarif tapi apa saja harus diatur. Dipanggil keduanya untuk berbicara '
            "masing-masing, musyawarah, duduk bareng kemudian dibuat aturan yang saling "
            "menguntungkan. Kan bisa saling melengkapi, negara lain bisa masa kita enggak bisa,"
            '" ucap Zulkifli di Gedung DPR, Senayan, Jakarta Pusat, Senin (27/3).'
        ],
    ),
    (
        # kumparan: three plain sentences.
        "plain sentences",
        [
            "Ketua Umum PAN menambahkan bahwa hal ini harus diatur karena menyangkut mata "
            "pencaharian dari masyarakat itu sendiri.",
            "Menurut dia, titik temu masih bisa dicari.",
            "Sebab, transportasi online tradisional masih memiliki pasar sendiri dan transportasi "
            "tradisional juga memiliki pasarnya sendiri.",
        ],
    ),
    (
        # Thousands with dots (1.000) and a decimal comma (5.999,25) inside a quotation.
        "thousands and decimals",
        [
            '"Alhamdullillah saat ini produk ayam olahan kita sudah bisa menembus pasar Papua '
            "Nugini. Kiriman perdana akan kita lepas dengan total barang yang akan diekspor yaitu "
            "sebanyak 1.000 carton, dengan berat bersih 5.999,25 kg. Mudah-mudahan berikutnya "
            "segera dapat kita realisasikan ekspor produk-produk peternakan lainnya ke Jepang dan "
            'Vietnam yang saat ini sedang dalam proses," katanya.'
        ],
    ),
    (
        # A date (10/3/2017) and a time with a dot (20.36 WIB) before a real boundary.
        "date and time",
        [
            "Sebelumnya longsor telah terjadi di Kampung Jati Radio, Desa Cililin, Kecamatan "
            "Cililin, Kabupaten Bandung Barat pada Jumat (10/3/2017) pukul 20.36 WIB.",
            "Hujan deras yang terus mengguyur wilayah Kabupaten Bandung Barat menyebabkan kondisi "
            "tanah tidak stabil dan menimbulkan longsor dengan panjang sekitar 200 meter dari "
            "titik mahkota longsoran pada kemiringan lereng 45 derajat.",
        ],
    ),
    (
        # Antara: "PT." before a company name does not end the sentence.
        "PT. abbreviation",
        [
            "Hal tersebut disampaikannya saat melepas ekspor perdana produk daging ayam olahan "
            "milik PT. Charoen Pokphand Indonesia ke Papua New Guinea, di Kawasan Industri Modern "
            "Cikande Serang Provinsi Banten, Senin (13/3/2017)."
        ],
    ),
    (
        # Two dates, two times (18.00, 15.00 WIB).
        "dates and times",
        [
            "Pada babak final yang akan digelar Minggu (28/5/2017), Korea masih menanti hasil "
            "laga babak semifinal antara China dan Jepang.",
            "Pertandingan dijadwalkan Sabtu (27/5/2017) mulai pukul 18.00 waktu setempat atau "
            "15.00 WIB.",
        ],
    ),
    (
        # A source tag in brackets after the last sentence is its own segment.
        "bracketed source tag",
        [
            "Plot sekuel film James Bond ke-25 bocor tak lama setelah Daniel Craig mengumumkan "
            "bakal kembali memerankan tokoh agen 007.",
            "[PageSix.com]",
        ],
    ),
    (
        # Curly quotes around two sentences, the second ending in "?", then the speech verb.
        "curly quotes with question",
        [
            "“Tato baru. Bagaimana menurut kamu @TheNotoriousMMA?” tulis Coombe sambil meminta "
            "respons dari McGregor."
        ],
    ),
    (
        # A closing quote after "." followed by a lower-case speech verb: no boundary; the
        # editor's initials "(omni/dub)" are a segment of their own.
        "quote closed by full stop, then initials",
        [
            '"Saya pikir dia sudah berkembang menjadi pemain yang lebih baik ketimbang saat ia '
            "bermain di EPL beberapa tahun yang lalu. Ia tambahan yang sangat bagus untuk tim "
            'ini." tutup mantan gelandang The Reds tersebut.',
            "(omni/dub)",
        ],
    ),
    (
        # A "!" inside a quotation, brackets inside the quotation, then a real boundary.
        "exclamation inside quotation",
        [
            '"#seminyack Saya mencintaimu saudara ku @mikelohan selamat! (Selamat datang di '
            'Bali)," tulis Lindsay pada keterangan video yang diunggahnya itu.',
            "Tampaknya Lohan tak tahu bagaimana mengeja Seminyak, yang seharusnya tanpa huruf c.",
        ],
    ),
    (
        # Antara: a question inside a quotation, "Dr dr" titles without dots, "10-15", and a
        # second quotation later in the paragraph.
        "long paragraph with two quotations",
        [
            "Bisa jadi kekurangan zat besi di masa 1.000 hari pertama kehidupan menjadi "
            "penyebabnya.",
            '"Anak usia enam bulan butuh 11 miligram zat besi. Kalau kurang? Saraf enggak bisa '
            "tumbuh, berpikir lama, jangka panjang turun IQ bisa 10-15 turun. Ini juga terkait "
            'kemampuan matematika," tutur spesialis nutrisi dan penyakit metabolik dari RSCM, Dr '
            "dr Damayanti R Sjarif SpA(K), di Jakarta, Senin.",
            "Zat besi bisa berasal dari daging merah, hati ayam, ikan, sayuran berwarna hijau dan "
            "kacang-kacangan.",
            "Jika tidak, bisa dari makanan yang telah difortifikasi atau tablet zat besi (asalkan "
            "berkonsultasi dengan dokter lebih dulu).",
            "Saat zat besi tak terpenuhi di 1.000 hari pertama, sebanyak 65 persen penderita "
            "memiliki IQ di bawah 90.",
            "Artinya dia hanya mampu menyerap pengetahuan dan ilmu dengan baik hingga kelas 3 "
            "sekolah menengah pertama saja.",
            "Tak hanya zat besi, berbagai kebutuhan nutrisi lain yang tak terpenuhi semisal "
            "karbohidrat, vitamin, mineral, lemak dan protein menyebabkan stunting, gangguan "
            "fungsi kekebalan tubuh dan berbagai masalah lainnya.",
            '"Kalau diperbaiki gizinya setelah dua tahun, tidak akan sebagus bila kebutuhan '
            "gizinya terpenuhi sebelum 2 tahun. Kalau seorang dewasa pernah alami kurang gizi dan "
            'pendek, kemampuan otak hilang 10 persen, kemampuan manual lima persen hilang," tutur '
            "Damayanti.",
        ],
    ),
    (
        # BMKG: "Km." is a unit, not an abbreviation; decimals written with a dot stay whole.
        "unit at sentence end",
        [
            "Informasi dari Badan Meteorologi, Klimatologi, dan Geofisika (BMKG), titik gempa "
            "berada di kedalaman 10 Km.",
            "Lokasi gempa berada di 6.17 Lintang Selatan dan 105.36 Bujur Timur atau 70 Km "
            "sebelah Barat Daya Lampung Selatan.",
        ],
    ),
    (
        # Written for the rule (the sample has none): list abbreviations dll., dsb., dst.
        "dll dsb dst (constructed)",
        [
            "Pasar menjual beras, gula, minyak, dll. Semua harga naik, seperti cabai, bawang, "
            "dsb. Begitu pula sayur, buah, dst. menurut pedagang."
        ],
    ),
    (
        # Written for the rule: titles before names (Prof. Dr. Ir. H. Hj.), Jl., No., Rp.
        "titles and addresses (constructed)",
        [
            "Prof. Dr. Ir. H. Ahmad Yani dan Hj. Siti tinggal di Jl. Merdeka No. 5 dan membayar "
            "Rp. 5.000.",
            "Mereka pindah tahun lalu.",
        ],
    ),
    (
        # Written for the rule: academic degrees (S.H., M.Si.), company suffix Tbk., dkk.
        "degrees and company suffix (constructed)",
        [
            "Budi Santoso S.H. M.Si. dari PT Telkom Indonesia Tbk. bersama Andi dkk. hadir.",
            "Acara selesai pukul 10.30 WIB.",
        ],
    ),
    (
        # Written for the rule: initials of a name.
        "initials (constructed)",
        ["Presiden Susilo B. Yudhoyono dan A. Yani hadir.", "Keduanya tersenyum."],
    ),
    (
        # Written for the rule: an ellipsis before lower case continues, before a capital ends;
        # "(...)" marks an omission.
        "ellipses (constructed)",
        [
            "Dia ragu... tapi tetap datang (...) Semua menunggu...",
            "Akhirnya dia bicara.",
        ],
    ),
    (
        # Written for the rule: "?" and "!" end sentences outside quotations.
        "question and exclamation (constructed)",
        ["Mengapa harga naik?", "Pemerintah harus bertindak!", "Warga menunggu."],
    ),
]


@pytest.mark.parametrize(("name", "sentences"), CASES, ids=[c[0] for c in CASES])
def test_splits_real_news_paragraphs(name: str, sentences: list[str]) -> None:
    text = " ".join(sentences)
    assert [text[lo:hi] for lo, hi in split(text)] == sentences


def test_golden_paragraphs_are_real_sample_text() -> None:
    paragraphs = {
        p
        for line in SAMPLE.read_text(encoding="utf-8").splitlines()
        for p in json.loads(line)["paragraphs"]
    }
    real = [name for name, sentences in CASES if " ".join(sentences) in paragraphs]
    assert len(real) == 12, real


def test_line_break_always_ends_a_sentence_and_stays_with_it() -> None:
    text = "Baca juga:\nHarga naik\nWarga resah"
    assert [text[lo:hi] for lo, hi in split(text)] == [
        "Baca juga:\n",
        "Harga naik\n",
        "Warga resah",
    ]


def test_full_stop_before_line_break_keeps_the_break() -> None:
    text = "Harga naik.\nWarga resah."
    assert [text[lo:hi] for lo, hi in split(text)] == ["Harga naik.\n", "Warga resah."]


def test_keep_together_ranges_are_not_cut() -> None:
    text = "Baca: Harga naik. Warga resah. Lalu pulang."
    link = (text.index("Harga"), text.index(" Lalu"))
    assert [text[lo:hi] for lo, hi in split(text, keep_together=[link])] == [
        "Baca: Harga naik. Warga resah.",
        "Lalu pulang.",
    ]


def test_unclosed_quotation_does_not_glue_the_paragraph() -> None:
    # A quotation that goes on into the next paragraph (no closing mark here).
    text = '"Kami sudah siap. Semua pemain sehat. Pelatih puas.'
    assert len(split(text)) == 3


def test_blank_and_empty_text_have_no_sentences() -> None:
    assert split("") == []
    assert split("   ") == []


DATELINES = [
    # From the sample's titles (IndoSum puts the first sentence, dateline included, in the title).
    (
        "Jakarta, CNN Indonesia -- Bali lagi-lagi kedatangan tamu spesial.",
        "Jakarta, CNN Indonesia --",
    ),
    ("Suara.com - Cerita sekuel terbaru James Bond bocor.", "Suara.com -"),
    ("SPANYOL – Barcelona berhasil memboyong kemenangan besar", "SPANYOL –"),
    ("Wamena (ANTARA News) - Pemerintah Kabupaten Jayawijaya", "Wamena (ANTARA News) -"),
    ("JUARA.NET, TOKYO - Pasangan ganda putra Indonesia", "JUARA.NET, TOKYO -"),
    ("GOLD COAST, JUARA.net - Pebulu tangkis tunggal putri", "GOLD COAST, JUARA.net -"),
    ("JAKARTA (Pos Kota) – Kepolisian sampai saat ini", "JAKARTA (Pos Kota) –"),
    ("Rimanews - Komite Olimpiade Indonesia (KOI) menyatakan", "Rimanews -"),
    ("LE MANS, JUARA.net - Pebalap Marc VDS asal Australia", "LE MANS, JUARA.net -"),
    ("Merdeka.com - Mantan pemain Liverpool, Patrik Berger", "Merdeka.com -"),
    # Forms named in the issue.
    ("JAKARTA - Presiden Joko Widodo meresmikan jembatan.", "JAKARTA -"),
    ("JAKARTA, KOMPAS.com - Presiden Joko Widodo meresmikan.", "JAKARTA, KOMPAS.com -"),
]


@pytest.mark.parametrize(("text", "dateline"), DATELINES)
def test_finds_datelines(text: str, dateline: str) -> None:
    end = dateline_end(text)
    assert end is not None
    assert text[:end] == dateline


@pytest.mark.parametrize(
    "text",
    [
        "Ketua MPR Zulkifli Hasan menyesalkan kisruh yang terjadi.",  # sample title, no dateline
        "Stoke City dan Manchester United mengawali pertandingan.",  # sample title, no dateline
        "Jakarta - sebuah kota besar.",  # a place in title case needs an outlet to be a dateline
        "E-KTP warga sudah jadi.",  # a hyphenated word is not a dash
        "JAKARTA -",  # nothing after the dash
    ],
)
def test_does_not_take_ordinary_openings_for_datelines(text: str) -> None:
    assert dateline_end(text) is None


def test_every_sample_title_with_an_outlet_has_its_dateline_found() -> None:
    titles = [json.loads(line)["title"] for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    found = [t for t in titles if dateline_end(t) is not None]
    assert len(found) == 46
