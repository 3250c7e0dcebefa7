"""Exceptions of the reviewer package.

ReviewerError
├── ReviewerConfigError   no model configured, no API key, or a bad `[reviewer]` table
├── CorpusError           a `warden review-eval` corpus line that cannot be read (names the line)
└── ReviewFailed          a review produced no verdict; `str()` is the reason shown on screen
    ├── ReviewTimeout     no answer within the timeout
    ├── EndpointError     connection refused or lost, an HTTP error, an answer that is no completion
    └── AnswerError       a refusal, an empty answer, not JSON, or not the verdict's schema
"""

from __future__ import annotations


class ReviewerError(Exception):
    """Root of every error the reviewer package raises."""


class ReviewerConfigError(ReviewerError):
    """The reviewer cannot be set up: no model, no API key, or an invalid setting."""


class CorpusError(ReviewerError):
    """A labelled corpus for `warden review-eval` is unreadable or has an invalid line."""


class ReviewFailed(ReviewerError):
    """A review produced no verdict; the action goes to a person with this reason."""


class ReviewTimeout(ReviewFailed):
    """The endpoint did not answer within the review's timeout."""

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        super().__init__(f"reviewer timed out after {timeout_s:g} s")


class EndpointError(ReviewFailed):
    """The endpoint could not be reached or answered with an error.

    `status` is the HTTP status when there was one; `transient` errors are worth one retry.
    """

    def __init__(self, message: str, status: int | None = None, transient: bool = False) -> None:
        self.status = status
        self.transient = transient
        super().__init__(message)


class AnswerError(ReviewFailed):
    """The model answered, but not with a usable verdict."""
