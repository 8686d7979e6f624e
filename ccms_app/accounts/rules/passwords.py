"""Which passwords an operator account may have.

At least 12 characters, and not one a guesser tries early: zxcvbn's frequency lists
(30,000 common passwords, names, words) and its patterns (keyboard walks, repeats, dates,
l33t spellings) estimate the guesses needed; below 10^8 it is refused.
"""

from __future__ import annotations

from zxcvbn import zxcvbn

from ccms_app.core.i18n import tr

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256  # Argon2 takes any length; a bound keeps a login request small
MIN_GUESSES_LOG10 = 8.0


def password_problem(password: str, related: tuple[str, ...] = ()) -> str | None:
    """Why `password` is not acceptable (in the reader's language), or None. `related`: the
    email, the name."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return tr("The password must have at least {count} characters.", count=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return tr("The password may have at most {count} characters.", count=MAX_PASSWORD_LENGTH)
    inputs = [part for value in related for part in _words(value)]
    if zxcvbn(password, user_inputs=inputs)["guesses_log10"] < MIN_GUESSES_LOG10:
        return tr(
            "That password is too common or too easy to guess (a known password, a keyboard "
            "pattern, a repeat or your own name). Use a few unrelated words or a password manager."
        )
    return None


def _words(value: str) -> list[str]:
    cleaned = value.lower().replace("@", " ").replace(".", " ").replace("-", " ")
    return [value.lower(), *cleaned.split()]
