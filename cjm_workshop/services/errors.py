"""Domain errors. The web layer maps each to a message in the user's language."""


class DomainError(Exception):
    """Something the rules of a workshop do not allow."""

    status = 409


class EmailTaken(DomainError):
    pass


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
