"""A local sentence-transformers model -> ONNX files (fp32 and int8), made on this machine.

`exported_model()` returns the ONNX file of a backend, making it at first use into the
data dir (`<data_dir>/models/<name>-<key>/`) from the model's own weights: nothing is
fetched from a hub. The conversion runs in a child process (`python -m
pkm_core.infrastructure.onnx_export SOURCE TARGET`), so the app process never imports
torch: only the child does, once, for about 15 s.

What is made:
- `model.onnx`: the transformer exported with torch's TorchScript exporter, then fused by
  ONNX Runtime's transformer optimizer (Attention, SkipLayerNormalization, BiasGelu).
- `model-int8.onnx`: that graph dynamically quantised by ONNX Runtime (int8 weights,
  per output channel, activations quantised at run time) — MatMul and Attention only;
  the embedding tables stay fp32 (quantising them, or quantising per tensor, costs
  ~0.06 cosine against fp32 on SciFact abstracts; per channel costs ~0.005).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from pkm_core.domain.errors import KairosError

log = logging.getLogger(__name__)

# Bump when the files made here change, so old exports are not reused.
EXPORT_VERSION = 1
FILES = {"onnx": "model.onnx", "onnx-int8": "model-int8.onnx"}
_WEIGHTS = ("model.safetensors", "pytorch_model.bin")
EXPORT_TIMEOUT_S = 900


class ModelExportFailed(KairosError):
    """The model could not be converted for an ONNX backend."""


def export_key(source: Path) -> str:
    """Changes when the weights, ONNX Runtime or this exporter change."""
    import onnxruntime

    digest = hashlib.sha256(f"{EXPORT_VERSION}|{onnxruntime.__version__}|{source}".encode())
    for name in _WEIGHTS:
        weights = source / name
        if weights.is_file():
            stat = weights.stat()
            digest.update(f"|{name}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:12]


def export_dir(source: Path, cache_root: Path, label: str) -> Path:
    """`<cache_root>/all-minilm-l6-v2-<key>`: the configured name, made safe as a folder name."""
    slug = re.sub(r"[^a-z0-9._-]+", "-", label.lower().rsplit("/", 1)[-1]).strip(".-")
    return cache_root / f"{slug or 'model'}-{export_key(source)}"


def exported_model(source: Path, cache_root: Path, backend: str, label: str) -> Path:
    """The ONNX file of `backend` for the model in `source`, made now if missing.

    Made into a temporary folder beside the final one and moved into place, so an
    interrupted or concurrent export never leaves a half-written file behind."""
    target = export_dir(source, cache_root, label)
    path = target / FILES[backend]
    if path.is_file():
        return path
    cache_root.mkdir(parents=True, exist_ok=True)
    log.info("Converting %s to ONNX into %s (once)", label, target)
    with tempfile.TemporaryDirectory(dir=cache_root, prefix=".export-") as tmp:
        command = [sys.executable, "-m", __name__, str(source), tmp]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=EXPORT_TIMEOUT_S, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.error("ONNX export of %s did not finish: %s", label, exc)
            done = None
        if done is None or done.returncode != 0:
            if done is not None:
                log.error("ONNX export of %s failed:\n%s", label, done.stderr[-4000:])
            raise ModelExportFailed(
                f"The embedding model “{label}” could not be converted for the {backend} "
                "backend (details in the log); set KAIROS_EMBEDDING_BACKEND=torch to use it "
                "as it is."
            )
        target.mkdir(parents=True, exist_ok=True)
        for name in FILES.values():
            os.replace(Path(tmp) / name, target / name)
    return path


# ------------------------------------------------------------------ the child process


def _export(source: Path, out: Path) -> None:
    """Runs in the child: torch and transformers are imported here only."""
    import warnings

    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.optimizer import optimize_model
    from transformers import AutoConfig, AutoModel

    warnings.filterwarnings("ignore")
    config = AutoConfig.from_pretrained(source)
    model = AutoModel.from_pretrained(source, attn_implementation="eager").eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, ids: torch.Tensor, mask: torch.Tensor, types: torch.Tensor) -> object:
            return self.inner(input_ids=ids, attention_mask=mask, token_type_ids=types)[0]

    inputs = ["input_ids", "attention_mask", "token_type_ids"]
    sample = tuple(torch.ones(2, 8, dtype=torch.long) for _ in inputs)
    raw = out / "raw.onnx"
    with torch.no_grad():
        torch.onnx.export(
            LastHiddenState(model),
            sample,
            str(raw),
            input_names=inputs,
            output_names=["last_hidden_state"],
            dynamic_axes={
                name: {0: "batch", 1: "tokens"} for name in [*inputs, "last_hidden_state"]
            },
            opset_version=17,
            dynamo=False,  # the TorchScript exporter: the dynamo one needs onnxscript
        )
    fused = optimize_model(
        str(raw),
        model_type="bert",
        num_heads=int(config.num_attention_heads),
        hidden_size=int(config.hidden_size),
    )
    fused.save_model_to_file(str(out / FILES["onnx"]))
    raw.unlink()
    quantize_dynamic(
        out / FILES["onnx"],
        out / FILES["onnx-int8"],
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul", "Attention"],
        # The fused graph's contrib ops defeat shape inference: their outputs are float.
        extra_options={"DefaultTensorType": 1},
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m pkm_core.infrastructure.onnx_export SOURCE TARGET", file=sys.stderr)
        return 2
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    source, out = Path(args[0]), Path(args[1])
    _export(source, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
