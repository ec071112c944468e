"""The embedding backend is part of the model identity; the composition root builds it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pkm_core.application.use_cases.index import IndexStatus
from pkm_core.bootstrap import build_embedder
from pkm_core.domain.embedding import model_identity, same_model, split_identity
from pkm_core.infrastructure.embedder import EmbeddingModelUnavailable, SentenceTransformerEmbedder
from pkm_core.infrastructure.onnx_embedder import OnnxEmbedder
from pkm_core.infrastructure.settings import Settings


def test_torch_adds_nothing_to_the_name_and_another_backend_is_written_after_an_at() -> None:
    assert model_identity("all-MiniLM-L6-v2") == "all-MiniLM-L6-v2"
    assert model_identity("all-MiniLM-L6-v2", "torch") == "all-MiniLM-L6-v2"
    assert model_identity("all-MiniLM-L6-v2", "onnx-int8") == "all-MiniLM-L6-v2@onnx-int8"
    assert split_identity("all-MiniLM-L6-v2@onnx") == ("all-MiniLM-L6-v2", "onnx")
    assert split_identity("all-MiniLM-L6-v2") == ("all-MiniLM-L6-v2", "torch")


def test_an_at_that_names_no_backend_is_part_of_the_model_name() -> None:
    assert split_identity("team@models/e5") == ("team@models/e5", "torch")
    with pytest.raises(ValueError, match="tensorrt"):
        model_identity("all-MiniLM-L6-v2", "tensorrt")


def test_vectors_of_two_backends_of_one_model_are_not_the_same_model() -> None:
    torch_name = "all-MiniLM-L6-v2"
    assert not same_model(torch_name, "all-MiniLM-L6-v2@onnx-int8")
    assert not same_model("all-MiniLM-L6-v2@onnx", "all-MiniLM-L6-v2@onnx-int8")
    assert not same_model("all-MiniLM-L6-v2@onnx-int8", torch_name)


def test_one_backend_still_matches_across_spellings_of_the_model_name() -> None:
    assert same_model(
        "sentence-transformers/all-MiniLM-L6-v2@onnx-int8", "all-minilm-l6-v2@onnx-int8"
    )
    assert same_model("sentence-transformers/all-MiniLM-L6-v2", "ALL-MINILM-L6-V2")
    assert same_model("/models/./mini@onnx", "/models/mini@onnx")


def test_the_status_of_a_torch_database_under_the_int8_backend_asks_for_a_rebuild() -> None:
    status = IndexStatus(3, 3, 0, "all-MiniLM-L6-v2", 384, "all-MiniLM-L6-v2@onnx-int8")
    assert not status.model_matches


def _settings(tmp_path: Path, backend: str) -> Settings:
    return Settings(KAIROS_DATA_DIR=tmp_path, KAIROS_EMBEDDING_BACKEND=backend)  # type: ignore[call-arg,arg-type]


@pytest.mark.parametrize("backend", ["onnx", "onnx-int8"])
def test_an_onnx_backend_is_built_unloaded_with_the_backend_in_its_name(
    tmp_path: Path, backend: str
) -> None:
    embedder = build_embedder(_settings(tmp_path, backend))
    assert isinstance(embedder, OnnxEmbedder)
    assert embedder.model_name == f"all-MiniLM-L6-v2@{backend}"
    assert not embedder.is_loaded
    assert not (tmp_path / "models").exists()  # nothing is exported before first use


def test_the_torch_backend_is_the_sentence_transformers_embedder_under_the_plain_name(
    tmp_path: Path,
) -> None:
    embedder = build_embedder(_settings(tmp_path, "torch"))
    assert isinstance(embedder, SentenceTransformerEmbedder)
    assert embedder.model_name == "all-MiniLM-L6-v2"
    assert not embedder.is_loaded


def _model_folder(tmp_path: Path, modules: list[str], mean: bool = True) -> Path:
    folder = tmp_path / "my-model"
    (folder / "1_Pooling").mkdir(parents=True)
    (folder / "modules.json").write_text(
        json.dumps([{"type": f"sentence_transformers.models.{kind}"} for kind in modules])
    )
    pooling = {"word_embedding_dimension": 8, "pooling_mode_mean_tokens": mean}
    if not mean:
        pooling["pooling_mode_cls_token"] = True
    (folder / "1_Pooling" / "config.json").write_text(json.dumps(pooling))
    (folder / "tokenizer.json").write_text("{}")
    return folder


@pytest.mark.parametrize(
    ("modules", "mean"),
    [(["Transformer", "Pooling", "Dense", "Normalize"], True), (["Transformer", "Pooling"], False)],
)
def test_a_model_that_is_not_plain_mean_pooling_is_refused_with_the_torch_backend_named(
    tmp_path: Path, modules: list[str], mean: bool
) -> None:
    folder = _model_folder(tmp_path, modules, mean)
    embedder = OnnxEmbedder(str(folder), "onnx-int8", tmp_path / "models")
    with pytest.raises(EmbeddingModelUnavailable, match="KAIROS_EMBEDDING_BACKEND=torch"):
        embedder.load()
    assert not (tmp_path / "models").exists()


def test_a_hub_name_that_is_no_local_folder_is_refused_by_an_onnx_backend(
    tmp_path: Path,
) -> None:
    embedder = OnnxEmbedder("intfloat/e5-small-v2", "onnx", tmp_path / "models")
    with pytest.raises(EmbeddingModelUnavailable, match="not a local folder"):
        embedder.load()
