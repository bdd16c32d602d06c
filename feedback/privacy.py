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
# Separators people type between groups of digits, no-break spaces included.
_SEP = "[ .\\-\u00a0\u202f]"
# Nine digits, alone or grouped 3-3-3 (checked against Luhn below); not part of a longer
# number, such as the 000 000 000 of "1 000 000 000 $".
NINE_DIGITS = re.compile(
    rf"(?<!\d)(?<!\d{_SEP})(\d{{3}})({_SEP}?)(\d{{3}})\2(\d{{3}})(?!\d)(?!{_SEP}\d)"
)
PHONE = re.compile(
    r"(?<![\w+$₩€£])(?:"
    # International: +CC then groups of digits, with separators or brackets.
    rf"\+\d{{1,3}}(?:{_SEP}?\(?\d+\)?){{2,5}}"
    # North American: (613) 555-0199, 613-555-0199, 613 5550199, 1 613 555 0199, 6135550199
    # (area code and exchange never start with 0 or 1, which keeps amounts out).
    rf"|(?:1{_SEP}?)?(?:\([2-9]\d{{2}}\)|[2-9]\d{{2}}){_SEP}?[2-9]\d{{2}}{_SEP}?\d{{4}}"
    # Korean: mobile 010-1234-5678, 010 1234 5678, 01012345678; landline 02-123-4567.
    rf"|01[016789]{_SEP}?\d{{3,4}}{_SEP}?\d{{4}}"
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
