"""Domain errors. The web layer maps each to a message in the user's language."""


class DomainError(Exception):
    """Something the rules of a workshop do not allow."""

    status = 409


class Refused(DomainError):
    """Input that breaks a rule; `reason` names which, for the message."""

    status = 422

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class EmailTaken(DomainError):
    pass


class WrongPassword(DomainError):
    """The current password given to change it is not the account's."""

    status = 422


class WorkshopNotFound(DomainError):
    status = 404


class WorkshopClosed(DomainError):
    status = 403


class LastPersona(DomainError):
    pass


class LastStage(DomainError):
    pass


class StatusChangeNotAllowed(DomainError):
    pass


class InvalidMove(DomainError):
    status = 400


class StepNotCurrent(DomainError):
    pass


class ParticipantRemoved(DomainError):
    """The facilitator removed this participant from the room."""

    status = 403


class StepClosed(DomainError):
    """The step does not take contributions (not current, or closed by the facilitator)."""


class NotYourNote(DomainError):
    status = 403


class InvalidNote(Refused):
    """A note that breaks a rule; `reason` names which, for the message."""


class IdempotencyConflict(DomainError):
    """The idempotency key was already used by somebody else."""


class IdempotencyKeyReused(DomainError):
    """The idempotency key was used before for a note with another text (the IETF
    Idempotency-Key draft: the same key must carry the same request)."""

    status = 422


class TimerNotRunning(DomainError):
    pass


class InvalidTimer(Refused):
    """A duration the timer does not take (`reason`: "minutes")."""


class MergeRefused(Refused):
    """Notes that cannot be merged; `reason` says why (itself, other_workshop, ...)."""


class InvalidRating(Refused):
    """A rating outside the scale ("scale") or not of a touchpoint on this map."""


class InvalidVote(Refused):
    """A dot that may not be placed or taken back; `reason` says why."""


class NoDotsLeft(DomainError):
    pass


class RoundClosed(DomainError):
    """No voting round is open."""


class RoundStillOpen(DomainError):
    """Another round is open: close it first."""


class BudgetBelowSpent(DomainError):
    """Someone has already spent more dots than the lower budget allows."""


class InvalidStepSetup(Refused):
    """A step's set-up that breaks a rule (`reason`: timebox, prompt_too_long,
    notes_too_long)."""


class TemplateRefused(Refused):
    """A template that cannot be saved or used so (`reason`: name_empty, name_too_long,
    name_taken, unreadable)."""


class ShareRefused(Refused):
    """A workshop that cannot be shared so; `reason` says why (no_account, owner)."""


class InvalidAction(Refused):
    """An action item that breaks a rule; `reason` says which (source, ...)."""


class InvalidWorkshopFile(Refused):
    """A workshop document that cannot be imported. `reason` says what is wrong (not_json,
    format, version, missing, invalid, reference, ...), `params` where and by how much:
    `where` is a path into the document such as notes[3].stage."""

    status = 400

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(reason)
        self.params = {key: value for key, value in params.items() if value is not None}
        if reason == "too_large":
            self.status = 413

    def __str__(self) -> str:
        details = ", ".join(f"{key}={value}" for key, value in self.params.items())
        return f"{self.reason} ({details})" if details else self.reason


def _link_status(reason: str) -> int:
    """An unknown link is not found; an expired or used one is gone."""
    return 404 if reason == "unknown" else 410


class InvitationRefused(Refused):
    """An invitation link that does not work (`reason`: unknown, expired, used)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.status = _link_status(reason)


class ResetLinkRefused(Refused):
    """A password-reset link that does not work (`reason`: unknown, expired, used)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.status = _link_status(reason)
