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


class ResearchNotOpenYet(StepClosed):
    """Research before the session has not opened yet (its window starts later)."""


class ResearchEnded(StepClosed):
    """Research before the session is over, and the session has not started."""


class InvalidResearchWindow(Refused):
    """A window for research before the session that does not work (`reason`: incomplete,
    order, too_long, past, started)."""


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


class SuggestionRefused(Refused):
    """A suggested duplicate acted on wrongly: "other_workshop", "too_few" notes, or no
    note chosen to keep ("keep_one")."""


class SuggestionOutdated(Refused):
    """A suggested duplicate whose notes changed since it was shown: one was deleted
    ("gone"), merged ("merged") or hidden ("hidden") meanwhile."""

    status = 409


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


class InvalidInsightFile(Refused):
    """A file of research insights that cannot be read or imported as a whole. `reason`
    says why (not_table, encoding, too_large, too_many_rows, no_text_column, expired, ...),
    `params` by how much."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(reason)
        self.params = params
        if reason == "too_large":
            self.status = 413
        elif reason == "expired":
            self.status = 410
        elif reason == "closed":
            self.status = 409


class InvalidInsightRow(Refused):
    """One row of a file of research insights that cannot become a note. `reason` says why
    (empty, too_long, formula, unknown_stage, unknown_source, unknown_persona), `params`
    where: the row as the spreadsheet numbers it (the header is row 1), the column's letter
    and the value found there."""

    def __init__(
        self, reason: str, *, row: int = 0, column: str = "", value: str = "", most: int = 0
    ) -> None:
        super().__init__(reason)
        self.params = {"row": row, "column": column, "value": value, "most": most}


class InsightRowsRefused(DomainError):
    """An import of research insights with rows that cannot become notes: nothing is added."""

    status = 422

    def __init__(self, refusals: tuple[InvalidInsightRow, ...] = ()) -> None:
        super().__init__(f"{len(refusals)} row(s) refused")
        self.refusals = refusals
