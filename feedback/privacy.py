"""Masking personal information a visitor types by mistake, before anything is stored.

Only shapes that are personal are replaced: email addresses, telephone numbers (North American,
Korean and international), Canadian postal codes, numbers shaped like a Social Insurance
Number (nine digits passing its check digit) and Korean resident registration numbers. Dates
("2019-06-18"), years and amounts ("US$693 million", "4 000 000 $") are left as they are: a
suggested correction is mostly made of them.
"""

import re

from django.utils.translation import gettext_lazy as _

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Korean resident registration number: YYMMDD-SNNNNNN.
RESIDENT_NUMBER = re.compile(r"(?<!\d)\d{6}-[1-8]\d{6}(?!\d)")
# Nine digits, alone or grouped 3-3-3 with spaces or hyphens (checked against Luhn below).
NINE_DIGITS = re.compile(r"(?<!\d)(?<!\d[.,])(\d{3})([ -]?)(\d{3})\2(\d{3})(?!\d)(?![.,]\d)")
PHONE = re.compile(
    r"(?<![\w+])(?:"
    # International: +CC then 7 to 13 more digits, with spaces, dots, hyphens or brackets.
    r"\+\d{1,3}(?:[ .-]?\(?\d+\)?){2,5}"
    # North American: (613) 555-0199, 613-555-0199, 613.555.0199, 1 613 555 0199.
    r"|(?:1[ .-]?)?(?:\(\d{3}\)|\d{3})[ .-]?\d{3}[ .-]\d{4}"
    r"|\d{10}"
    # Korean: 02-123-4567, 010-1234-5678.
    r"|0\d{1,2}-\d{3,4}-\d{4}"
    r")(?!\d)"
)
POSTAL_CODE = re.compile(
    r"\b[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ -]?\d[ABCEGHJ-NPRSTV-Z]\d\b", re.IGNORECASE
)

MASKS = {
    "email": _("[email address removed]"),
    "phone": _("[telephone number removed]"),
    "postal_code": _("[postal code removed]"),
    "number": _("[personal number removed]"),
}


def _luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def mask_personal_information(text: str) -> str:
    """`text` with every email address, telephone number, postal code and personal number
    replaced by a bracketed mark (in the active language)."""
    if not text:
        return text
    text = EMAIL.sub(str(MASKS["email"]), text)
    text = RESIDENT_NUMBER.sub(str(MASKS["number"]), text)

    def nine_digits(match: re.Match) -> str:
        digits = match.group(1) + match.group(3) + match.group(4)
        return str(MASKS["number"]) if _luhn(digits) else match.group(0)

    text = NINE_DIGITS.sub(nine_digits, text)
    text = PHONE.sub(str(MASKS["phone"]), text)
    return POSTAL_CODE.sub(str(MASKS["postal_code"]), text)
