"""OpenVLA adapter: de-tokenisation and action mapping by hand, and the whole code path through a tiny
randomly initialised LLaVA built here, saved to a folder and loaded back through the adapter."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from agentrt.core.results import SkillStatus
from agentrt.testing import FakeEnv, fixture_scene
from skills.adapters.openvla import OpenVLAAdapter, OpenVLAConfig, detokenize, to_arm_action, unnormalize
from skills.learned import LearnedPick
from skills.vla.catalog import load_chunk_policy
from skills.vla.protocol import ChunkPolicy

STATS = {
    "q01": [-0.02, -0.02, -0.02, -0.1, -0.1, -0.1, 0.0],
    "q99": [0.02, 0.02, 0.02, 0.1, 0.1, 0.1, 1.0],
    "mask": [True] * 6 + [False],
}


def test_detokenize_known_answers() -> None:
    # the last id is bin 0 (centre -1 + 1/255); id vocab-128 is bin 127 (centre 0); the 256th from the
    # end would be bin 255, clipped to the last centre 1 - 1/255; ids below the action range clip too
    got = detokenize(np.array([31999, 31872, 31744, 100]), vocab_size=32000)
    assert got == pytest.approx([-1 + 1 / 255, 0.0, 1 - 1 / 255, 1 - 1 / 255])


def test_unnormalize_and_mapping_known_answers() -> None:
    x = np.array([-1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.25])
    a = unnormalize(x, STATS)
    assert a == pytest.approx([-0.02, 0.0, 0.02, 0.0, 0.0, 0.0, 0.25])  # gripper unmasked: passes
    arm = to_arm_action(np.array([0.1, 0.01, 0.0, 0.0, 0.0, 0.3, 1.0]), OpenVLAConfig())
    assert arm.dtype == np.float32
    assert arm == pytest.approx([0.05, 0.01, 0.0, 0.0, 0.0, 0.25, -1.0])  # clipped; open (1) -> -1
    quarter = OpenVLAConfig(
        frame_rotation=[[0, -1, 0], [1, 0, 0], [0, 0, 1]], translation_scale=0.5, gripper_open_value=0.0
    )
    arm = to_arm_action(np.array([0.02, 0.0, 0.0, 0.1, 0.0, 0.0, 1.0]), quarter)
    assert arm == pytest.approx([0.0, 0.01, 0.0, 0.0, 0.1, 0.0, 1.0])  # x -> y, halved; here 1 = closed -> +1
    assert to_arm_action(np.zeros(7), OpenVLAConfig())[6] == 1.0  # OpenVLA 0 = closed -> our +1


def test_frame_rotation_must_be_a_rotation() -> None:
    with pytest.raises(ValueError, match="rotation"):
        OpenVLAConfig(frame_rotation=[[2, 0, 0], [0, 1, 0], [0, 0, 1]])


@pytest.fixture(scope="module")
def tiny_openvla(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A LLaVA (CLIP vision + Llama text) with 32-wide layers and a 322-word vocabulary, random weights."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import (
        CLIPImageProcessor,
        CLIPVisionConfig,
        LlamaConfig,
        LlavaConfig,
        LlavaForConditionalGeneration,
        LlavaProcessor,
        PreTrainedTokenizerFast,
    )

    words = ["<unk>", "<s>", "</s>", "<pad>", "<image>", *"in: what action should the robot take to".split()]
    vocab = {w: i for i, w in enumerate(words)}
    vocab.update({f"t{i}": len(vocab) + i for i in range(322 - len(vocab))})
    backend = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend,
        unk_token="<unk>",
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        extra_special_tokens={"image_token": "<image>"},
    )
    text = LlamaConfig(
        vocab_size=322,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=128,
        pad_token_id=3,
        bos_token_id=1,
        eos_token_id=2,
    )
    vision = CLIPVisionConfig(
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=1,
        num_attention_heads=2,
        image_size=32,
        patch_size=16,
        projection_dim=32,
    )
    config = LlavaConfig(vision_config=vision, text_config=text, image_token_index=4, vision_feature_layer=-1)
    folder = tmp_path_factory.mktemp("tiny-openvla")
    import torch

    torch.manual_seed(0)
    LlavaForConditionalGeneration(config).save_pretrained(folder)
    images = CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    LlavaProcessor(
        image_processor=images,
        tokenizer=tokenizer,
        patch_size=16,
        vision_feature_select_strategy="default",
        num_additional_image_tokens=1,
    ).save_pretrained(folder)
    (folder / "dataset_statistics.json").write_text(json.dumps({"kitchen": {"action": STATS}}))
    return folder


def test_tiny_checkpoint_loads_and_predicts_through_the_adapter(tiny_openvla: Path) -> None:
    policy = load_chunk_policy(tiny_openvla)  # a folder that is not SmolVLA -> OpenVLA
    assert isinstance(policy, OpenVLAAdapter) and isinstance(policy, ChunkPolicy)
    assert policy.vocab_size == 322 and policy.action_keys == ("arm",) and policy.obs_keys == ("head_rgb",)
    rng = np.random.default_rng(0)
    obs = {"head_rgb": rng.integers(0, 255, (128, 128, 3), dtype=np.uint8), "state": np.zeros(18, np.float32)}
    chunk = policy.predict_chunk(obs, "pick up the red mug.")
    assert chunk.shape == (1, 7) and chunk.dtype == np.float32
    assert np.all(np.abs(chunk[0, :3]) <= 0.02 + 1e-6) and np.all(np.abs(chunk[0, 3:6]) <= 0.1 + 1e-6)
    assert -1.0 <= chunk[0, 6] <= 1.0
    np.testing.assert_array_equal(chunk, policy.predict_chunk(obs, "pick up the red mug"))  # greedy


def test_adapter_drives_a_learned_skill(tiny_openvla: Path) -> None:
    scene = fixture_scene([("mug_0", "red mug", "mug", "counter", "shelf")], ["counter"], robot_at="counter")
    skill = LearnedPick(OpenVLAAdapter.from_pretrained(tiny_openvla))
    env = FakeEnv(scene)
    result = skill.run(env, {"object": "mug_0"}, scene=scene, max_steps=3)
    assert result.status is SkillStatus.ABORTED and result.steps == 3  # random weights never grasp
    assert len(skill.chunk_latencies_ms) == 3 and all(a["arm"].shape == (7,) for a in env.actions)


def test_missing_pieces_are_clear_errors(tiny_openvla: Path, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no OpenVLA checkpoint folder"):
        OpenVLAAdapter.from_pretrained(tmp_path / "absent")
    (tmp_path / "config.json").write_text((tiny_openvla / "config.json").read_text())
    with pytest.raises(FileNotFoundError, match="no weights in"):
        OpenVLAAdapter.from_pretrained(tmp_path)
    (tmp_path / "model.safetensors").write_bytes((tiny_openvla / "model.safetensors").read_bytes())
    with pytest.raises(FileNotFoundError, match="no action statistics"):
        OpenVLAAdapter.from_pretrained(tmp_path)
    with pytest.raises(ValueError, match="no statistics named 'bridge'"):
        OpenVLAAdapter.from_pretrained(tiny_openvla, unnorm_key="bridge")


def test_remote_code_folder_loads_the_class_its_auto_map_names(tiny_openvla: Path, tmp_path: Path) -> None:
    """OpenVLA folders name their own class under ``AutoModelForVision2Seq`` (an auto class that
    transformers 5 no longer has): the adapter loads that class from the folder's code, and
    refuses weights that do not fill it (transformers alone would warn and keep random ones)."""
    import shutil

    import torch
    from transformers.dynamic_module_utils import get_class_from_dynamic_module

    folder = tmp_path / "remote"
    shutil.copytree(tiny_openvla, folder)
    (folder / "modeling_tinyvla.py").write_text(
        "from transformers import LlavaForConditionalGeneration\n\n\n"
        "class TinyVLAForActionPrediction(LlavaForConditionalGeneration):\n"
        "    remote = True\n"
    )
    config = json.loads((folder / "config.json").read_text())
    config["auto_map"] = {"AutoModelForVision2Seq": "modeling_tinyvla.TinyVLAForActionPrediction"}
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="do not fill TinyVLAForActionPrediction"):
        OpenVLAAdapter.from_pretrained(folder)  # LLaVA's saved key layout lacks the subclass's lm_head
    remote_cls = get_class_from_dynamic_module("modeling_tinyvla.TinyVLAForActionPrediction", str(folder))
    torch.manual_seed(1)
    remote_cls(remote_cls.config_class.from_pretrained(folder)).save_pretrained(folder)
    (folder / "config.json").write_text(
        json.dumps({**json.loads((folder / "config.json").read_text()), "auto_map": config["auto_map"]})
    )
    adapter = OpenVLAAdapter.from_pretrained(folder)
    assert type(adapter.model).__name__ == "TinyVLAForActionPrediction" and adapter.model.remote
    obs = {"head_rgb": np.random.default_rng(1).integers(0, 255, (64, 64, 3), dtype=np.uint8)}
    chunk = adapter.predict_chunk(obs, "go to the sink")
    assert chunk.shape == (1, 7) and np.all(np.isfinite(chunk))
