"""Domain records: what provenance records about the models, and what its signature keeps."""

from __future__ import annotations

from dataclasses import replace

from warta.domain import ModelProvenance, Provenance
from warta.languages import Lang

REAL = ModelProvenance("opus-mt-id-en", "sha256:" + "a" * 64, Lang.ID, Lang.EN)
PROVENANCE = Provenance(
    engine="ctranslate2",
    models=(REAL,),
    decoding=(("beam", 4),),
    device="cpu",
    compute_type="int8",
    glossary_version=1,
    segmenter_version="1",
    app_version="0.1.0",
)


def test_a_test_model_is_recorded_and_read_back_from_the_stored_record() -> None:
    made = replace(PROVENANCE, models=(replace(REAL, random_weights=True),))
    record = made.to_dict()
    assert record["models"] == [
        {
            "name": "opus-mt-id-en",
            "checksum": REAL.checksum,
            "source": "id",
            "target": "en",
            "random_weights": True,
        }
    ]
    back = Provenance.from_dict(record)
    assert back == made
    assert back.random_weights


def test_a_pivot_through_a_test_model_is_made_by_a_test_model() -> None:
    second = ModelProvenance("tiny-en-fr", "sha256:" + "b" * 64, Lang.EN, Lang.FR, True)
    assert replace(PROVENANCE, models=(REAL, second)).random_weights


def test_records_of_real_models_are_unchanged_and_their_signature_too() -> None:
    # Editions stored before the flag existed read back as real models; the signature (and so
    # the jobs' idempotency key) does not depend on the flag.
    record = PROVENANCE.to_dict()
    assert record["models"] == [
        {"name": "opus-mt-id-en", "checksum": REAL.checksum, "source": "id", "target": "en"}
    ]
    assert not Provenance.from_dict(record).random_weights
    flagged = replace(PROVENANCE, models=(replace(REAL, random_weights=True),))
    assert flagged.signature() == PROVENANCE.signature()
    assert flagged.key() == PROVENANCE.key()
