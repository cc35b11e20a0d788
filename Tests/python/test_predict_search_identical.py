"""predict and search give bit-identical numbers for the same plan: over every model preset,
1,000 plans drawn (with a fixed seed) from what the searches rank, every field of the
prediction read back through `predict` equals the search entry's, exactly."""

from __future__ import annotations

import json
import random

from pdcost import GPUSpec, HardwareConfig, ModelConfig, PDCostModel, TrainingConfig, _native

#: A cluster each preset fits on (GPUs), sized by parameter count.
def _gpus(model: ModelConfig) -> int:
    billions = model.num_parameters() / 1e9
    return 8 if billions < 20 else 64 if billions < 100 else 256 if billions < 300 else 1024


def _fields(result: object) -> dict[str, object]:
    data = result.to_dict()  # type: ignore[attr-defined]
    data.pop("settings", None)
    data.pop("gpu_filled_in", None)
    return data


def test_search_entries_predict_to_identical_numbers() -> None:
    entries = []
    for name in json.loads(_native.model_preset_names()):
        model = ModelConfig.from_name(name)
        gpus = _gpus(model)
        hw = HardwareConfig(gpu=GPUSpec.from_name("H100-SXM-80GB"), num_nodes=max(gpus // 8, 1),
                            gpus_per_node=min(gpus, 8))
        seq = 1024 if name == "gpt2" else 4096
        cm = PDCostModel(model, hw, TrainingConfig(sequence_length=seq, dtype="bfloat16"))
        result = cm.search(global_batch_size=gpus * 4, top_k=200, max_vpp=2,
                           micro_batch_sizes=(1, 2))
        entries += [(cm, e) for e in list(result.results) + list(result.pareto)]
    assert len(entries) >= 1000, f"only {len(entries)} plans ranked over the presets"
    for cm, entry in random.Random(20261202).sample(entries, 1000):
        predicted = cm.predict(entry.parallel, **entry.predict_options())
        a, b = _fields(predicted), _fields(entry.prediction)
        assert a == b, (entry, {k: (a[k], b[k]) for k in a if a[k] != b[k]})
