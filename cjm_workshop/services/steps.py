"""The step engine: which step the room is in and whether it takes contributions.

Entering a step opens it for notes, also when the room comes back to it. Only the current
step ever takes contributions, so leaving a step needs no closing. The facilitator may close
and reopen the current step; a step the facilitator closed stays closed when the room comes
back to it (the facilitator closed it for a reason), and the console says so. A closed
workshop changes no step.
"""

from __future__ import annotations

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
from cjm_workshop.services.errors import StepNotCurrent, WorkshopClosed
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
