"""The training cost model: step time, memory and MFU of a parallel plan.

Only the constructor is real so far: the predictions arrive with the training cost model (the
next issue). The class and method names are those of the original pdcost API, so code written
against it imports unchanged and fails with a clear :class:`NotImplementedError` when it asks
for a prediction.
"""

from __future__ import annotations

from typing import Any, NoReturn

from .config import GPUSpec, HardwareConfig, ModelConfig, ParallelConfig, TrainingConfig

__all__ = ["PDCostModel"]

_NOT_YET = "arrives with the training cost model"

#: The cluster assumed when none is given: one node of eight H100-SXM-80GB.
DEFAULT_GPU = "H100-SXM-80GB"


class PDCostModel:
    """Predicts step time, memory and throughput of training ``model_config`` on
    ``hardware_config`` (default: one node of 8× H100-SXM-80GB) with ``training_config``
    (default: :class:`TrainingConfig()`)."""

    __slots__ = ("model_config", "hardware_config", "training_config", "calibration_result")

    def __init__(self, model_config: ModelConfig, hardware_config: HardwareConfig | None = None,
                 training_config: TrainingConfig | None = None, auto_calibrate: bool = False) -> None:
        if not isinstance(model_config, ModelConfig):
            raise TypeError("model_config must be a ModelConfig, not "
                            f"{type(model_config).__name__}")
        if hardware_config is None:
            hardware_config = HardwareConfig(gpu=GPUSpec.from_name(DEFAULT_GPU))
        if not isinstance(hardware_config, HardwareConfig):
            raise TypeError("hardware_config must be a HardwareConfig or None, not "
                            f"{type(hardware_config).__name__}")
        if training_config is None:
            training_config = TrainingConfig()
        if not isinstance(training_config, TrainingConfig):
            raise TypeError("training_config must be a TrainingConfig or None, not "
                            f"{type(training_config).__name__}")
        if not isinstance(auto_calibrate, bool):
            raise TypeError(f"auto_calibrate must be bool, not {type(auto_calibrate).__name__}")
        self.model_config = model_config
        self.hardware_config = hardware_config
        self.training_config = training_config
        self.calibration_result: Any = None
        if auto_calibrate:
            self.calibrate()

    def __repr__(self) -> str:
        return (f"PDCostModel(model={self.model_config.name!r}, "
                f"gpu={self.hardware_config.gpu.name!r}, num_gpus={self.hardware_config.num_gpus})")

    def predict(self, parallel: ParallelConfig, **options: Any) -> NoReturn:
        """Predict one parallel plan (step time, memory breakdown, MFU, tokens/s)."""
        raise NotImplementedError(f"PDCostModel.predict {_NOT_YET}")

    def predict_calibrated(self, parallel: ParallelConfig, **options: Any) -> NoReturn:
        """Predict one plan with the calibrated efficiency model."""
        raise NotImplementedError(f"PDCostModel.predict_calibrated {_NOT_YET}")

    def rank_configurations(self, configs: Any, top_k: int = 5, **options: Any) -> NoReturn:
        """Predict several plans and rank them by throughput."""
        raise NotImplementedError(f"PDCostModel.rank_configurations {_NOT_YET}")

    def generate_search_space(self, total_gpus: int, **options: Any) -> NoReturn:
        """The valid plans for ``total_gpus`` GPUs."""
        raise NotImplementedError(f"PDCostModel.generate_search_space {_NOT_YET}")

    def search_best_throughput(self, total_gpus: int, **options: Any) -> NoReturn:
        """Search the plans for ``total_gpus`` GPUs and return the ``top_k`` fastest that fit."""
        raise NotImplementedError(f"PDCostModel.search_best_throughput {_NOT_YET}")

    def calibrate(self, **options: Any) -> NoReturn:
        """Measure the local GPU and use the measured numbers."""
        raise NotImplementedError(f"PDCostModel.calibrate: hardware calibration {_NOT_YET}")
