"""A hand-built pilot programme on the KPI test world (tests/kpi/conftest.py, month 2024-03).

Programme P1 "试点一期", pilot units 广东 (GD), 深圳 (GD.SZ) and 北京 (BJ); phases 1 and 2:

| customer | segment/industry | responsible | phase | owned by / branches             |
|----------|------------------|-------------|-------|---------------------------------|
| A C001   | fin / fin.bank   | HQ (group)  | 1     | HQ; branches 深圳 ×2, 北京       |
| B C002   | fin / fin.bank   | GD          | 1     | GD.GZ                           |
| C C003   | fin / insurance  | BJ          | —     | BJ                              |
| D C004   | gov / gov.party  | HQ (group)  | 2     | GD.SZ                           |
| E C005   | sme / —          | GD          | 2     | GD                              |

The table (rows gov fin ent sme + total; columns HQ BJ GD + total): gov 1/0/0 = 1,
fin 1/1/1 = 3, ent 0 (no pilots), sme 0/0/1 = 1; totals 2/1/2 = 5.
"""

import datetime

from gecrm.accounts.actions import (
    do_add_phase,
    do_add_pilot_customer,
    do_create_program,
)

PILOT_TABLE_CSV = (
    "\ufeffsegment,HQ,BJ,GD,total\r\n"
    "gov,1,0,0,1\r\n"
    "fin,1,1,1,3\r\n"
    "ent,0,0,0,0\r\n"
    "sme,0,0,1,1\r\n"
    "total,2,1,2,5\r\n"
)


def build_program(world, org, admin):
    program = do_create_program(
        {
            "code": "P1",
            "name": "试点一期",
            "start": datetime.date(2024, 1, 1),
            "end": datetime.date(2024, 12, 31),
        },
        units=[org["GD"], org["GD.SZ"], org["BJ"]],
        actor=admin,
        source="test",
    )
    one = do_add_phase(
        program,
        {"number": 1, "name": "第一批", "start": datetime.date(2024, 1, 1)},
        actor=admin,
        source="test",
    )
    two = do_add_phase(program, {"number": 2, "name": "第二批"}, actor=admin, source="test")
    for key, unit, phase in (
        ("a", "HQ", one),
        ("b", "GD", one),
        ("c", "BJ", None),
        ("d", "HQ", two),
        ("e", "GD", two),
    ):
        do_add_pilot_customer(
            program, world[key], org[unit], phase=phase, actor=admin, source="test"
        )
    return program
