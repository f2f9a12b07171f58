"""HL7 v2 test messages built field by field (so a field number is never off by one)."""

from __future__ import annotations


def seg(name: str, fields: dict[int, str]) -> str:
    width = max(fields) if fields else 0
    return "|".join([name, *(fields.get(i, "") for i in range(1, width + 1))])


def msh(kind: str, control_id: str = "MSG0001", sender: str = "EPIC") -> str:
    # MSH-1 is the separator itself, so MSH-2 is the first field after "MSH|".
    fields = {
        2: "^~\\&",
        3: sender,
        4: "NORTHCLINIC",
        5: "CHAIRSIDE",
        6: "RIVERSIDE",
        7: "20261201101500",
        9: kind,
        10: control_id,
        11: "P",
        12: "2.5.1",
    }
    return "MSH|" + "|".join(fields.get(i, "") for i in range(2, 13))


def pid(mrn: str = "E1001", dob: str = "19750314", sex: str = "F", last: str = "Rivera") -> str:
    return seg(
        "PID",
        {
            1: "1",
            3: f"{mrn}^^^NORTHCLINIC^MR~123456789^^^SSA^SS",
            5: f"{last}^Maria^Luz",
            7: dob,
            8: sex,
            11: "12 Elm St^Apt 4^Springfield^IL^62704",
            13: "^PRN^PH^^1^217^5550142",
        },
    )


def in1(payer_id: str = "BCBSIL", name: str = "Blue Cross IL", member: str = "XOF123456789") -> str:
    return seg(
        "IN1",
        {
            1: "1",
            3: payer_id,
            4: name,
            8: "G-100",
            9: "Gold PPO",
            12: "20260101",
            17: "SEL",
            36: member,
        },
    )


def adt(kind: str = "A04", control_id: str = "MSG0001", **kw: str) -> str:
    payer = {k: kw.pop(k) for k in ("payer_id", "name", "member") if k in kw}
    parts = [msh(f"ADT^{kind}^ADT_A01", control_id), seg("EVN", {1: kind}), pid(**kw)]
    parts.append(seg("PV1", {1: "1", 2: "O"}))
    parts.append(in1(**payer))
    return "\r".join(parts) + "\r"


def orm(
    npi: str, control_id: str = "ORD0001", drug: str = "J1745^Infliximab", dx: str = "K50.90"
) -> str:
    return (
        "\r".join(
            [
                msh("ORM^O01^ORM_O01", control_id),
                pid(),
                seg(
                    "ORC",
                    {1: "NW", 2: "PL-77", 9: "20261130", 12: f"{npi}^Okafor^Ngozi^^^^MD^^^^NPI"},
                ),
                seg("RXO", {1: drug, 2: "5", 4: "mg/kg"}),
                seg("DG1", {1: "1", 3: f"{dx}^Crohn disease^I10"}),
            ]
        )
        + "\r"
    )


def ref_i12(npi: str, control_id: str = "REF0001") -> str:
    return (
        "\r".join(
            [
                msh("REF^I12^REF_I12", control_id),
                seg("RF1", {1: "A^Accepted", 2: "S^Stat", 6: "R-55"}),
                seg("PRD", {1: "RP", 2: "Okafor^Ngozi", 7: f"{npi}^NPI"}),
                pid(),
                seg("DG1", {1: "1", 3: "K50.90^Crohn disease^I10"}),
                seg("PR1", {1: "1", 3: "J1745^Infliximab"}),
            ]
        )
        + "\r"
    )
