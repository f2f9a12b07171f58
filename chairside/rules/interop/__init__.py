"""Interfaces: HL7 v2 (intake, ACK, SIU, MLLP framing), FHIR code systems, safe CSV export."""
