"""The LLM planner: any LangChain chat model, structured plans, checked and repaired.

``plan`` sends the rules and the registry's skills (system) and the scene and the
instruction (user, as data) and asks for a :class:`~planners.llm.schema.PlanDraft`
through structured output. The draft becomes a :class:`Plan` whose goal and steps are
checked against the symbolic model (:func:`planners.llm.schema.to_plan`, which ends in
:func:`planners.validate.validate_plan`); the checker's errors go back to the model up
to ``max_repairs`` times, then :class:`PlanningError` says what was still wrong.
``replan`` does the same from a fresh scene, the failure and the previous plan, with
the goal held fixed (closed loop, as in Inner Monologue).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import Field, model_validator

from agentrt.core.plan import Plan, PlanningError
from agentrt.core.registry import PLANNERS
from agentrt.core.scene import SceneDescription
from agentrt.core.skill_spec import SkillSpec
from planners.base import Planner, PlannerConfig
from planners.llm.backends import (
    ChatBackendConfig,
    describe_backend,
    embedded_config,
    make_chat_model,
    uses_embedded,
)
from planners.llm.chat import StructuredChat, opening, schema_instructions
from planners.llm.errors import LanguageModelError
from planners.llm.prompt import repair_prompt, replan_prompt, system_prompt, user_prompt
from planners.llm.retry import RetryPolicy
from planners.llm.schema import PlanDraft, plan_json_schema, to_plan

log = logging.getLogger(__name__)


class LLMPlannerConfig(ChatBackendConfig, PlannerConfig):
    """Settings of :class:`LLMPlanner`: the chat backend (see :class:`ChatBackendConfig`) and repairs."""

    max_repairs: int = Field(default=2, ge=0, le=10, description="corrections asked for after a bad plan")
    max_instruction_chars: int = Field(default=2000, gt=0, description="longer instructions are rejected")

    @model_validator(mode="after")
    def _needs_model(self) -> LLMPlannerConfig:
        if not self.model and not uses_embedded(self):
            raise ValueError(
                "the llm planner needs a model: --model NAME (or a folder for --backend transformers); "
                "without --model and --base-url it uses the embedded local model"
            )
        return self


@dataclass
class PlanAttempts:
    """What the latest ``plan``/``replan`` call took: replies, repairs, errors per reply."""

    requests: int = 0
    repairs: int = 0
    errors: list[list[str]] = field(default_factory=list)
    seconds: float = 0.0
    valid: bool = False


@PLANNERS.register("llm")
class LLMPlanner(Planner):
    """Plans with a chat model; every plan it returns has passed ``validate_plan``.

    Args:
        config: an :class:`LLMPlannerConfig` or a dict of its fields.
        chat_model: a LangChain chat model to use instead of building one from ``config``
            (any ``BaseChatModel`` with structured output: Anthropic, Ollama, a fake...).
        sleep: the wait between retries (tests pass a fake).
    """

    Config = LLMPlannerConfig
    name = "llm"
    config: LLMPlannerConfig

    def __init__(
        self,
        config: LLMPlannerConfig | dict[str, Any] | None = None,
        *,
        chat_model: Any = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(config)
        if chat_model is None and uses_embedded(self.config):
            self.config = embedded_config(self.config)  # the packaged model on a loopback server
        model = chat_model if chat_model is not None else make_chat_model(self.config)
        policy = RetryPolicy(self.config.max_retries, self.config.backoff_s)
        what = f"the planner model {describe_backend(self.config)}"
        self.chat = StructuredChat(model, self.config.structured_output, policy, what, sleep)
        self.last: PlanAttempts = PlanAttempts()
        """Statistics of the latest call, for logs and the benchmark."""

    def plan(self, instruction: str, scene: SceneDescription, skills: Sequence[SkillSpec]) -> Plan:
        text = checked_instruction(instruction, skills, self.config.max_instruction_chars)
        return self._converse(text, user_prompt(text, scene), scene, skills, goal=None)

    def replan(
        self, previous: Plan, scene: SceneDescription, skills: Sequence[SkillSpec], failure: str
    ) -> Plan:
        _check_skills(skills)
        ids = {o.id for o in scene.objects} | {p.id for p in scene.places}
        missing = sorted({t for text in previous.goal for t in _terms(text) if t not in ids})
        if missing:
            raise PlanningError(f"cannot replan: {', '.join(missing)} is no longer in the scene")
        prompt = replan_prompt(previous, scene, failure)
        return self._converse(previous.instruction, prompt, scene, skills, goal=previous.goal)

    def _converse(
        self,
        instruction: str,
        prompt: str,
        scene: SceneDescription,
        skills: Sequence[SkillSpec],
        goal: Sequence[str] | None,
    ) -> Plan:
        start = time.perf_counter()
        self.last = stats = PlanAttempts()
        schema = plan_json_schema(skills, scene)
        system = system_prompt(skills)
        if self.config.structured_output == "json_mode":
            system += schema_instructions(schema)
        messages: list[Any] = opening(system, prompt, self.config.fold_system)
        try:
            for attempt in range(self.config.max_repairs + 1):
                reply = self.chat.ask(messages, schema, PlanDraft)
                stats.requests += 1
                errors = reply.errors
                if reply.data is not None:
                    if not reply.data.feasible:
                        reason = one_line(reply.data.reason) or "no reason given"
                        raise PlanningError(f"the planner model declined: {reason}")
                    plan, errors = to_plan(reply.data, instruction, scene, skills, self.name, goal)
                    if not errors:
                        stats.valid = True
                        return plan
                stats.errors.append(errors)
                log.info("plan attempt %d rejected: %s", attempt + 1, "; ".join(errors))
                if attempt < self.config.max_repairs:
                    stats.repairs += 1
                    messages += self.chat.feedback(reply, repair_prompt(errors))
        except LanguageModelError as exc:
            raise PlanningError(str(exc)) from None
        finally:
            stats.seconds = time.perf_counter() - start
        tries = self.config.max_repairs + 1
        raise PlanningError(
            f"no valid plan after {tries} replies from the model; last errors: " + "; ".join(errors[:4])
        )


def checked_instruction(instruction: str, skills: Sequence[SkillSpec], max_chars: int) -> str:
    """``instruction`` with its whitespace collapsed; ``PlanningError`` if it is empty or too long, or
    if the skills cannot be planned with (none, or two of one name)."""
    text = " ".join(instruction.split())
    if not text:
        raise PlanningError("the instruction is empty")
    if len(text) > max_chars:
        raise PlanningError(f"the instruction is longer than {max_chars} characters")
    _check_skills(skills)
    return text


def _check_skills(skills: Sequence[SkillSpec]) -> None:
    if not skills:
        raise PlanningError("no skills are available to plan with")
    names = [s.name for s in skills]
    if len(set(names)) != len(names):
        raise PlanningError(f"skill names must be unique, got {names}")


def _terms(literal: str) -> list[str]:
    from agentrt.core.symbolic import parse_literal

    try:
        return list(parse_literal(literal).atom[1:])
    except ValueError:
        return []


def one_line(text: str, limit: int = 300) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
