"""ASC X12 278 Health Care Services Review (005010X217): write a request, read a response.

The loops follow the ASC X12N 278 Technical Report Type 3, "Health Care Services Review —
Request for Review and Response" (005010X217, with its errata 005010X217E1):

* header: ST*278*…*005010X217, BHT01 0007 (Information Source, Information Receiver,
  Subscriber, Dependent), BHT02 13 (Request) on a request and 11 (Response) on a response;
* 2000A/2010A the Utilization Management Organization (HL code 20, NM1*X3 with the payer
  identifier PI);
* 2000B/2010B the requester (HL 21, NM1*1P with its NPI after XX);
* 2000C/2010C the subscriber (HL 22, NM1*IL with the member ID after MI, DMG);
* 2000D/2010D the dependent when the patient is not the subscriber (HL 23, NM1*QC, DMG,
  INS*N with the relationship code);
* 2000E patient event (HL EV): TRN patient event tracking number, UM (UM01 HS health
  services review, UM02 certification type I initial, UM03 service type code, UM04 the
  facility as place of service code : B), DTP*AAH event date, HI diagnoses (ABK principal,
  then ABF), 2010EA the service provider (NM1*SJ with NPI, N3/N4);
* 2000F service (HL SS): UM, DTP*472 service date, SV1 (HC:HCPCS, unit basis UN, units),
  HSD (VS visits, with the period they are spread over).

A response carries the same levels; the decision is in the HCR segment of 2000E (and, for
each service, of 2000F): HCR01 action code, HCR02 the review identification (the
certification/authorization number), HCR03 the reason; REF*BB previous review authorization
number, REF*NT administrative reference number, DTP*102 certification issue date, DTP*036
expiration, DTP*007 effective (a D8 date or RD8 range), HSD the visits certified, SV1 the
units certified. An AAA segment at any level reports a request the UMO could not process
(AAA03 reject reason, AAA04 follow-up action).

pyx12 ships no 005010X217 map (its 278 maps are 4010 X094), so :func:`check_278` is our own
structural check: envelope counts and control numbers, the HL tree, and the required
segments and codes listed above.
"""

from chairside.rules.billing.x12.x12_278.check import Problem, check_278
from chairside.rules.billing.x12.x12_278.codes import (
    ACTIONS,
    CERTIFICATION_TYPES,
    CERTIFIED,
    FOLLOW_UPS,
    MEDICAL_CARE,
    PURPOSE_REQUEST,
    PURPOSE_RESPONSE,
    REJECT_REASONS,
    VERSION,
    Review278Error,
)
from chairside.rules.billing.x12.x12_278.proposal import Proposal, propose
from chairside.rules.billing.x12.x12_278.request import (
    Interchange278,
    RequestedService,
    ReviewRequest,
    ServiceProvider,
    request_problems,
    write_278,
)
from chairside.rules.billing.x12.x12_278.response import (
    Decision,
    RequestError,
    ReviewResponse,
    parse_278_response,
    write_278_response,
)
from chairside.rules.billing.x12.x12_278.segments import Segment, split_segments

__all__ = [
    "ACTIONS",
    "CERTIFICATION_TYPES",
    "CERTIFIED",
    "FOLLOW_UPS",
    "MEDICAL_CARE",
    "PURPOSE_REQUEST",
    "PURPOSE_RESPONSE",
    "REJECT_REASONS",
    "VERSION",
    "Decision",
    "Interchange278",
    "Problem",
    "Proposal",
    "RequestError",
    "RequestedService",
    "Review278Error",
    "ReviewRequest",
    "ReviewResponse",
    "Segment",
    "ServiceProvider",
    "check_278",
    "parse_278_response",
    "propose",
    "request_problems",
    "split_segments",
    "write_278",
    "write_278_response",
]
