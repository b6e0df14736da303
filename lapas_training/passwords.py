"""Password validators for the security review (#10): Indonesian-common words, and similarity to
the user's facility as well as to their names.

People make a weak word pass a length rule by adding a year or punctuation ("Pelatihan2025!"), so
both validators also judge the password's letters alone.
"""

import functools
import unicodedata
from pathlib import Path

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

INDONESIAN_PASSWORDS = Path(__file__).resolve().parent / "passwords_id.txt"

# Fewer letters than this carry no word: "7#k9!x2$q0@z" must not be refused for its "kxqz".
MIN_LETTERS_JUDGED = 4


def letters_only(password):
    """The password's letters, lowercased: `"Pelatihan-2025"` → `"pelatihan"`."""
    normalised = unicodedata.normalize("NFKC", password).casefold()
    return "".join(character for character in normalised if character.isalpha())


def judged_forms(password):
    """The password as typed (lowercased) and, when it has enough of them, its letters alone."""
    letters = letters_only(password)
    forms = {password.casefold()}
    if len(letters) >= MIN_LETTERS_JUDGED:
        forms.add(letters)
    return forms


@functools.cache
def common_words():
    """Our Indonesian list and Django's 20,000 common passwords, read once per process."""
    lines = INDONESIAN_PASSWORDS.read_text(encoding="utf-8").splitlines()
    ours = {line.strip() for line in lines if line.strip() and not line.startswith("#")}
    return frozenset(ours | password_validation.CommonPasswordValidator().passwords)


class CommonWordPasswordValidator:
    """Refuses a common password, Indonesian or English, even with digits or punctuation added.

    Django's CommonPasswordValidator compares the password as typed, so "pelatihan2025" passed it.
    """

    def validate(self, password, user=None):
        if judged_forms(password) & common_words():
            raise ValidationError(
                _(
                    "This password is a common word with, at most, digits or punctuation added: "
                    "it is easy to guess."
                ),
                code="password_too_common",
            )

    def get_help_text(self):
        return _("Your password can’t be a common word, even with digits or punctuation added.")


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    """Django's check against the username, names and email, and the same against the user's
    facility (its name and city); each on the password as typed and on its letters alone.

    One query for the facility when the user's is not loaded yet.
    """

    FACILITY_ATTRIBUTES = ("name", "city")

    def validate(self, password, user=None):
        if not user:
            return
        facility = getattr(user, "facility", None)
        facility_validator = password_validation.UserAttributeSimilarityValidator(
            self.FACILITY_ATTRIBUTES, self.max_similarity
        )
        for form in judged_forms(password):
            super().validate(form, user)
            if facility is None:
                continue
            try:
                facility_validator.validate(form, facility)
            except ValidationError:
                raise ValidationError(
                    _("The password is too similar to the name or city of your facility."),
                    code="password_too_similar",
                ) from None

    def get_help_text(self):
        return _("Your password can’t be too similar to your names, email or facility.")
