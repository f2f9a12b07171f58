"""The 278 (005010X217) code lists Chairside uses and the reading error."""

from __future__ import annotations

VERSION = "005010X217"
# BHT01 hierarchical structure code 0007; BHT02 transaction set purpose (X12 code list 353).
STRUCTURE = "0007"
PURPOSE_REQUEST = "13"
PURPOSE_RESPONSE = "11"
# UM01 request category (code list 1525): HS Health Services Review.
REQUEST_CATEGORY = "HS"
# UM02 certification type (code list 1322): I Initial, R Renewal, S Revised, E Extension.
CERTIFICATION_TYPES = frozenset({"I", "R", "S", "E"})
# UM03 service type (code list 1365): 1 Medical Care — what payers' 278 companion guides
# ask for a provider-administered drug reviewed by its HCPCS code.
MEDICAL_CARE = "1"
# HSD01 VS visits; HSD05 time period qualifier (code list 615) 7 Day.
VISITS = "VS"
DAY = "7"

# HCR01 action codes (X12 code list 306 as used by 005010X217 HCR01).
ACTIONS: dict[str, str] = {
    "A1": "Certified in total",
    "A2": "Certified — partial",
    "A3": "Not certified",
    "A4": "Pended",
    "A6": "Modified",
    "C": "Cancelled",
    "CT": "Contact payer",
    "NA": "No action required",
}
CERTIFIED = frozenset({"A1", "A2", "A6"})

# AAA03 reject reason codes (code list 901) a UMO returns on a 278 most often.
REJECT_REASONS: dict[str, str] = {
    "04": "Authorized quantity exceeded",
    "15": "Required application data missing",
    "33": "Input errors",
    "35": "Out of network",
    "41": "Authorization/access restrictions",
    "42": "Unable to respond at current time",
    "43": "Invalid/missing provider identification",
    "44": "Invalid/missing provider name",
    "45": "Invalid/missing provider specialty",
    "47": "Invalid/missing provider state",
    "51": "Provider not on file",
    "52": "Service dates not within provider plan enrollment",
    "56": "Inappropriate date",
    "57": "Invalid/missing date(s) of service",
    "58": "Invalid/missing date-of-birth",
    "60": "Date of birth follows date(s) of service",
    "61": "Date of death precedes date(s) of service",
    "62": "Date of service not within allowable inquiry period",
    "64": "Invalid/missing patient ID",
    "65": "Invalid/missing patient name",
    "66": "Invalid/missing patient gender code",
    "67": "Patient not found",
    "68": "Duplicate patient ID number",
    "71": "Patient birth date does not match that for the patient on the database",
    "72": "Invalid/missing subscriber/insured ID",
    "73": "Invalid/missing subscriber/insured name",
    "75": "Subscriber/insured not found",
    "76": "Duplicate subscriber/insured ID number",
    "79": "Invalid participant identification",
    "AA": "Authorization number not found",
    "AF": "Invalid/missing diagnosis code(s)",
    "AG": "Invalid/missing procedure code(s)",
    "AO": "Additional patient condition information required",
    "T5": "Certification information missing",
}
# AAA04 follow-up action codes (code list 889).
FOLLOW_UPS: dict[str, str] = {
    "C": "Please correct and resubmit",
    "N": "Resubmission not allowed",
    "P": "Please resubmit original transaction",
    "R": "Resubmission allowed",
    "S": "Do not resubmit; inquiry initiated to a third party",
    "Y": "Do not resubmit; we will hand deliver the response",
}
_HL_CODES = {"20": "", "21": "20", "22": "21", "23": "22", "EV": "22|23", "SS": "EV"}


class Review278Error(ValueError):
    """A 278 that cannot be read: which segment, where, and why."""

    def __init__(self, segment: str, position: int | None, reason: str) -> None:
        self.segment = segment
        self.position = position
        self.reason = reason
        where = f"segment {segment}" + (f" (segment {position} of the file)" if position else "")
        super().__init__(f"{where}: {reason}")
