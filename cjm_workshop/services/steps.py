"""The step engine: which step the room is in and whether it takes contributions.

Entering a step opens it for notes, also when the room comes back to it. Only the current
step ever takes contributions, so leaving a step needs no closing. The facilitator may close
and reopen the current step; a step the facilitator closed stays closed when the room comes
back to it (the facilitator closed it for a reason), and the console says so. A closed
workshop changes no step.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update

from cjm_workshop.models import (
    STEPS,
    RoundStatus,
    Step,
    StepState,
    VotingRound,
    Workshop,
    WorkshopStatus,
    WorkshopStep,
)
from cjm_workshop.models.step import (
    FACILITATOR_NOTES_MAX,
    STEP_PROMPT_MAX,
    TIMEBOX_MAX,
    TIMEBOX_MIN,
)
from cjm_workshop.services.errors import InvalidStepSetup, StepNotCurrent, WorkshopClosed
from cjm_workshop.services.room import DbSession, RoomWorkshop, touch

# A suggested timebox per step, in minutes (the prompts live with the interface text).
TIMEBOX_MINUTES: dict[Step, int] = {
    Step.SCOPE: 10,
    Step.RESEARCH: 15,
    Step.TOUCHPOINTS: 20,
    Step.VISUALIZE: 20,
    Step.EMOTIONS: 15,
    Step.ACTIONS: 25,
}


@dataclass(frozen=True)
class StepSetup:
    """The facilitator's own set-up of a step: a prompt for the board and phones ("" for
    the built-in one), a timebox in minutes (None for the built-in one) and a private
    script for the console."""

    prompt: str = ""
    timebox_minutes: int | None = None
    facilitator_notes: str = ""

    @classmethod
    def of(cls, state: WorkshopStep) -> StepSetup:
        return cls(state.prompt, state.timebox_minutes, state.facilitator_notes)

    def checked(self) -> StepSetup:
        """Trimmed, or refused with the rule it breaks."""
        prompt, notes = self.prompt.strip(), self.facilitator_notes.strip()
        if self.timebox_minutes is not None and not (
            TIMEBOX_MIN <= self.timebox_minutes <= TIMEBOX_MAX
        ):
            raise InvalidStepSetup("timebox")
        if len(prompt) > STEP_PROMPT_MAX:
            raise InvalidStepSetup("prompt_too_long")
        if len(notes) > FACILITATOR_NOTES_MAX:
            raise InvalidStepSetup("notes_too_long")
        return StepSetup(prompt, self.timebox_minutes, notes)


def set_up_step(session: DbSession, workshop: Workshop, step: Step, setup: StepSetup) -> None:
    """Change a step's prompt, timebox and private notes; a closed workshop too (it may be
    reopened or saved as a template)."""
    apply_step_setup(workshop.step_state(step), setup.checked())
    touch(session, workshop.id)
    session.flush()


def apply_step_setup(state: WorkshopStep, setup: StepSetup) -> None:
    state.prompt = setup.prompt
    state.timebox_minutes = setup.timebox_minutes
    state.facilitator_notes = setup.facilitator_notes


def copy_step_setups(source: Workshop, target: Workshop) -> None:
    """Every step's set-up from one workshop to another (a new version)."""
    for state in source.steps:
        apply_step_setup(target.step_state(state.step), StepSetup.of(state))


def timebox_of(state: WorkshopStep) -> int:
    """The step's timebox in minutes: the facilitator's, or the built-in one."""
    return state.timebox_minutes or TIMEBOX_MINUTES[state.step]


def new_steps() -> list[WorkshopStep]:
    """The six steps of a new workshop: scope open, the rest not started."""
    return [
        WorkshopStep(
            step=step, state=StepState.OPEN if step is Step.SCOPE else StepState.NOT_STARTED
        )
        for step in STEPS
    ]


def end_voting(session: DbSession, workshop: Workshop) -> None:
    """Close the workshop's open dot-voting round, if any (leaving its step, closing)."""
    session.execute(
        update(VotingRound)
        .where(VotingRound.workshop_id == workshop.id, VotingRound.status == RoundStatus.OPEN)
        .values(status=RoundStatus.CLOSED)
    )


def go_to_step(session: DbSession, workshop: Workshop, target: Step) -> None:
    if workshop.is_closed:
        raise WorkshopClosed(workshop.join_code)
    if target is workshop.current_step:
        return
    end_voting(session, workshop)  # like contributions: the next step may open its own
    entering = workshop.step_state(target)
    if entering.state is StepState.NOT_STARTED:
        entering.state = StepState.OPEN
    workshop.current_step = target
    workshop.spotlight = None  # a part of the last step's work; the new step shows whole
    workshop.timer_ends_at = None  # a new step starts without a running timer
    workshop.timer_paused_seconds = None
    if workshop.status is WorkshopStatus.DRAFT:
        workshop.status = WorkshopStatus.LIVE  # leading the room through steps is running it
    touch(session, workshop.id)
    session.flush()


def next_step(workshop: Workshop) -> Step | None:
    index = STEPS.index(workshop.current_step)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None


def previous_step(workshop: Workshop) -> Step | None:
    index = STEPS.index(workshop.current_step)
    return STEPS[index - 1] if index > 0 else None


def set_contributions(session: DbSession, workshop: Workshop, step: Step, open_: bool) -> None:
    """Open or close the current step for contributions."""
    if workshop.is_closed:
        raise WorkshopClosed(workshop.join_code)
    if step is not workshop.current_step:
        raise StepNotCurrent(step.value)
    workshop.step_state(step).state = StepState.OPEN if open_ else StepState.CLOSED
    touch(session, workshop.id)
    session.flush()


def accepts_contributions(workshop: RoomWorkshop, step: Step) -> bool:
    return (
        not workshop.is_closed
        and step is workshop.current_step
        and workshop.step_state(step).state is StepState.OPEN
    )
