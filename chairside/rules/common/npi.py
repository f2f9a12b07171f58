"""National Provider Identifiers: the check digit that catches a mistyped NPI.

Source: CMS, "Requirements for National Provider Identifier (NPI) and NPI Enumeration",
check-digit section (NPIcheckdigit.pdf under CMS Administrative Simplification, NPI
Standard). An NPI is 10 digits; the last is a Luhn (ISO/IEC 7812) check digit computed
over the card-issuer prefix 80840 followed by the first 9 digits. Adding the prefix is
equivalent to adding the constant 24 to the Luhn sum of the 9 digits alone.
"""

from __future__ import annotations

# ISO/IEC 7812 issuer prefix for US health applications; it takes part in the Luhn sum.
_PREFIX = "80840"


def _is_digits(text: str) -> bool:
    # str.isdigit alone accepts superscripts and other scripts' digits ("²", "٣").
    return text.isascii() and text.isdigit()


def npi_check_digit(first9: str) -> str:
    """Return the check digit (one character) for the first 9 digits of an NPI.

    Example: ``npi_check_digit("123456789") == "3"``. Raises ValueError unless ``first9``
    is exactly 9 ASCII digits.
    """
    if not isinstance(first9, str) or len(first9) != 9 or not _is_digits(first9):
        raise ValueError(f"NPI prefix {first9!r} is not exactly 9 digits")
    total = 0
    # Luhn: walking right to left over the payload (the check digit is not there yet), the
    # rightmost digit and every second one after it are doubled and their digits summed.
    for position, char in enumerate(reversed(_PREFIX + first9)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def is_valid_npi(npi: str) -> bool:
    """Return whether ``npi`` is 10 ASCII digits whose last digit is the correct check digit.

    Never raises: a non-string, surrounding spaces or the wrong length are simply invalid.
    Example: ``is_valid_npi("1234567893")`` is True.
    """
    if not isinstance(npi, str) or len(npi) != 10 or not _is_digits(npi):
        return False
    return npi_check_digit(npi[:9]) == npi[9]
