"""Library status codes → the PDCostError family; Python argument checks; no input crashes."""

from __future__ import annotations

import json
import math
import pickle

import pytest

import pdcost
from pdcost import (
    GPUSpec,
    InvalidArgumentError,
    ModelConfig,
    NotFoundError,
    ParseError,
    PDCostError,
    PDCostIOError,
    UnsupportedError,
    _native,
)
from pdcost import errors

LLAMA = {
    "architectures": ["LlamaForCausalLM"], "hidden_size": 4096, "intermediate_size": 14336,
    "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8,
    "vocab_size": 128256,
}


def test_hierarchy():
    assert issubclass(errors.InvalidArgumentError, ValueError)
    assert issubclass(errors.ParseError, ValueError)
    assert issubclass(errors.NotFoundError, LookupError) and issubclass(errors.NotFoundError, ValueError)
    assert issubclass(errors.UnsupportedError, ValueError)
    assert issubclass(errors.InfeasiblePlanError, ValueError)
    assert issubclass(errors.NoDeviceError, RuntimeError)
    assert issubclass(errors.PDCostIOError, OSError)
    assert not issubclass(errors.VersionMismatchError, ValueError)
    for cls in errors.STATUS_EXCEPTIONS.values():
        assert issubclass(cls, PDCostError)


def test_unknown_preset_is_not_found_and_lists_presets():
    with pytest.raises(NotFoundError) as info:
        ModelConfig.from_name("llama-9000")
    assert isinstance(info.value, ValueError) and isinstance(info.value, LookupError)
    assert info.value.status == "PDCOST_ENOTFOUND"
    assert "llama-9000" in str(info.value)
    assert "qwen3-30b-a3b" in str(info.value) and "llama3-8b" in str(info.value)
    with pytest.raises(NotFoundError, match="H100-SXM-80GB"):
        GPUSpec.from_name("Voodoo5")


@pytest.mark.parametrize("bad", ["{not json", '{"hidden_size": }', "[1, 2", b"\xff\xfe{}"])
def test_bad_json_is_parse_error(bad):
    with pytest.raises(ParseError) as info:
        ModelConfig.from_json(bad)
    assert info.value.status == "PDCOST_EPARSE"
    assert isinstance(info.value, ValueError)


def test_wrong_json_type_is_parse_error_naming_field():
    with pytest.raises(ParseError, match="hidden_size"):
        ModelConfig.from_json({**LLAMA, "hidden_size": "4096"})


@pytest.mark.parametrize("field", ["hidden_size", "num_hidden_layers", "num_attention_heads",
                                   "vocab_size", "intermediate_size"])
def test_missing_field_is_invalid_argument_naming_it(field):
    config = {k: v for k, v in LLAMA.items() if k != field}
    with pytest.raises(InvalidArgumentError) as info:
        ModelConfig.from_json(config)
    assert field in str(info.value)
    assert info.value.status == "PDCOST_EINVAL"


def test_out_of_range_values_are_invalid_argument():
    for value in (0, -1, 2**62):
        with pytest.raises(PDCostError) as info:
            ModelConfig.from_json({**LLAMA, "hidden_size": value})
        assert isinstance(info.value, ValueError)
        assert "hidden_size" in str(info.value)


def test_unknown_architecture_is_unsupported():
    with pytest.raises(UnsupportedError, match="BertModel") as info:
        ModelConfig.from_json({**LLAMA, "architectures": ["BertModel"]})
    assert info.value.status == "PDCOST_EUNSUPPORTED"


def test_unreadable_file_is_io_error(tmp_path):
    with pytest.raises(PDCostIOError) as info:
        ModelConfig.from_json(tmp_path / "missing" / "config.json")
    assert isinstance(info.value, OSError)
    assert info.value.status == "PDCOST_EIO"
    with pytest.raises(PDCostIOError):
        ModelConfig.from_json(tmp_path)  # a directory


def test_errors_pickle_with_status():
    try:
        ModelConfig.from_name("nope")
    except NotFoundError as error:
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is NotFoundError
        assert copy.status == error.status and str(copy) == str(error)


# ------------------------------------------------------------------------------------------------
# Python-side checks before the library is called
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [None, 3, b"llama3-8b", ["llama3-8b"]])
def test_preset_name_must_be_str(name):
    with pytest.raises(TypeError):
        ModelConfig.from_name(name)
    with pytest.raises(TypeError):
        GPUSpec.from_name(name)


def test_names_with_nul_or_surrogates_are_value_errors():
    with pytest.raises(ValueError):
        ModelConfig.from_name("llama3-8b\x00evil")
    with pytest.raises(ValueError):  # UnicodeEncodeError
        ModelConfig.from_name("\udcff")
    with pytest.raises(ValueError):
        ModelConfig.from_json("{" + "\udcff" * 3)


@pytest.mark.parametrize("seq_len", [0, -1, 2**31 + 1, 2**64, 2**100])
def test_seq_len_out_of_range(seq_len):
    model = ModelConfig.from_name("llama3-8b")
    with pytest.raises(ValueError, match="seq_len"):
        model.flops_per_token(seq_len=seq_len)


@pytest.mark.parametrize("seq_len", [8192.0, "8192", None, True, math.nan])
def test_seq_len_wrong_type(seq_len):
    with pytest.raises(TypeError, match="seq_len"):
        ModelConfig.from_name("llama3-8b").flops_per_token(seq_len=seq_len)


def test_seq_len_bounds_accepted():
    model = ModelConfig.from_name("llama3-8b")
    assert model.flops_per_token(seq_len=1).seq_len == 1
    assert model.flops_per_token(seq_len=2**31).seq_len == 2**31
    assert _native.MAX_SEQUENCE_LENGTH == 2**31


def test_causal_must_be_bool():
    with pytest.raises(TypeError):
        ModelConfig.from_name("llama3-8b").flops_per_token(causal="yes")


@pytest.mark.parametrize("source", [None, 42, 4.2, object()])
def test_from_json_wrong_type(source):
    with pytest.raises(TypeError):
        ModelConfig.from_json(source)


def test_native_entry_points_reject_wrong_types():
    with pytest.raises(TypeError):
        _native.model_from_json(None)
    with pytest.raises(TypeError):
        _native.model_from_file(42)
    with pytest.raises(ValueError):
        _native.model_from_file("bad\x00path")
    with pytest.raises(TypeError):
        _native.Model()  # handles come only from the library
    with pytest.raises(TypeError):
        _native.status_name("1")
    assert _native.status_name(0) == "PDCOST_OK"
    assert _native.status_name(1) == "PDCOST_EINVAL"
    assert _native.status_name(2**80) == "PDCOST_UNKNOWN"
    model = _native.model_from_preset("llama3-8b")
    with pytest.raises(TypeError):
        model.flops_per_token()
    with pytest.raises(TypeError):
        model.flops_per_token(8192, True)  # causal is keyword-only


def test_hostile_inputs_never_crash():
    # Each must come back as an exception (any PDCostError or ValueError/TypeError), never a
    # crash of the interpreter.
    hostile = [
        b"", b"{}", b"null", b"[]", b"\x00", b"{" * 10000, b'"' + b"a" * 100000,
        json.dumps({**LLAMA, "hidden_size": 1e308}).encode(),
        json.dumps({**LLAMA, "hidden_size": 4096.5}).encode(),
        json.dumps({**LLAMA, "num_hidden_layers": 2**63}).encode(),
        json.dumps({**LLAMA, "num_key_value_heads": 7}).encode(),
        json.dumps({**LLAMA, "vocab_size": 2**40, "hidden_size": 2**40}).encode(),
        json.dumps({**LLAMA, "architectures": []}).encode(),
        json.dumps({**LLAMA, "architectures": [None]}).encode(),
        b'{"architectures": ["LlamaForCausalLM"], "hidden_size": NaN}',
    ]
    for document in hostile:
        with pytest.raises((PDCostError, ValueError, TypeError)):
            ModelConfig.from_json(document)
