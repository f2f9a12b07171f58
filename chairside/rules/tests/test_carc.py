from chairside.rules.billing import carc


class TestClaimStatus:
    def test_known_clp02_codes_are_in_words(self) -> None:
        assert carc.describe_claim_status("1") == "Processed as primary"
        assert carc.describe_claim_status("4") == "Denied"
        assert carc.describe_claim_status("22") == "Reversal of previous payment"

    def test_an_unknown_code_is_shown_as_itself(self) -> None:
        assert carc.describe_claim_status("99") == "status 99"


class TestDescriptions:
    def test_a_known_reason_reads_in_words(self) -> None:
        assert carc.describe("CO", "45").startswith("CO-45: Charge exceeds fee schedule")

    def test_an_unknown_reason_points_to_the_remittance(self) -> None:
        assert carc.describe("OA", "999") == "OA-999: see the payer's remittance advice"
