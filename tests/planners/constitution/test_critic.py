"""The critique layer (an LLM later) can add rejections, never remove one."""

from __future__ import annotations

from planners.constitution import Critic, Verdict


class ScriptedCritic:
    """A fake critic returning fixed verdicts."""

    name = "scripted"

    def __init__(self, *verdicts: Verdict, fail: bool = False) -> None:
        self.verdicts = verdicts
        self.fail = fail
        self.calls = 0

    def __call__(self, task, scene):
        self.calls += 1
        if self.fail:
            raise TimeoutError("backend down")
        return list(self.verdicts)


ACCEPT = Verdict(rule="llm", kind="safety", accepted=True, reason="looks fine to me")
REJECT = Verdict(rule="llm", kind="safety", accepted=False, reason="the mug looks hot")


def test_critic_is_a_protocol() -> None:
    assert isinstance(ScriptedCritic(), Critic)


def test_critic_can_add_a_rejection(constitution, kitchen_scene, skills, encoder) -> None:
    review = constitution.review(
        "put the red mug in the sink",
        kitchen_scene,
        skills,
        critics=[ScriptedCritic(REJECT)],
        encoder=encoder,
    )
    assert (review.accepted, review.rule, review.kind) == (False, "critic:llm", "critic")


def test_critic_cannot_override_a_hard_rule(constitution, kitchen_scene, skills, encoder) -> None:
    critic = ScriptedCritic(ACCEPT)
    review = constitution.review(
        "hand the knife to the child", kitchen_scene, skills, critics=[critic], encoder=encoder
    )
    assert not review.accepted and review.kind == "safety"
    valid = constitution.review(
        "put the red mug in the sink", kitchen_scene, skills, critics=[critic], encoder=encoder
    )
    assert valid.accepted and all(v.rule != "llm" for v in valid.verdicts)  # acceptances are dropped


def test_failing_critic_fails_closed(constitution, kitchen_scene, skills, encoder) -> None:
    review = constitution.review(
        "put the red mug in the sink",
        kitchen_scene,
        skills,
        critics=[ScriptedCritic(fail=True)],
        encoder=encoder,
    )
    assert not review.accepted and "backend down" in review.reason
