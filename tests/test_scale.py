"""A large university: a 5,000-member workbook is read, evaluated and written with bounded time and memory.

Requirement: issue 4 item 7 (the 10,000-file batch is measured by benchmarks/bench_batch.py --n 10000).
"""

import resource
import time

from dvht_sheets.batch import check_file

from .helpers import standard_data, write_standard


def test_five_thousand_members(tmp_path):
    overrides = {i: {"tuan_thu_ky_luat": "Không"} for i in range(0, 5000, 10)}  # 500 of 5,000 → 90 %
    path = write_standard(tmp_path / "dai-hoc.xlsx", standard_data(5000, member_overrides=overrides))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    outcome = check_file(path, tmp_path / "out")
    elapsed = time.perf_counter() - start
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    result = outcome.result
    i = next(i for i in result.indicators if i.id == "2.1" and i.level == 1)
    assert (i.numerator, i.denominator, i.met) == (4500, 5000, True)  # 4,500/5,000 = 90 % (TT24 Art. 6.2.a)
    assert outcome.output.stat().st_size > 100_000
    assert elapsed < 60 and grown_mb < 500, (elapsed, grown_mb)
    print(f"\n5,000 members: {elapsed:.2f} s, +{grown_mb:.0f} MB peak")
