"""dvht-sheets: đánh giá “Đơn vị học tập” từ sổ tính Excel (TT 24/2023/TT-BGDĐT; TT 22/2020 cho năm đến 2023).

The library: read → validate → evaluate → report. Nothing here prints; the CLI (cli.py) is a thin layer over it.

    import dvht_sheets
    result = dvht_sheets.evaluate("truong.xlsx")             # reads and evaluates, writes nothing
    outcome = dvht_sheets.run_batch("ho-so", "ket-qua")       # every output: don-vi/*, tong-hop.*, ket-qua.json
    f = dvht_sheets.frames(outcome)                           # f.units, f.indicators, f.findings (pandas)

See README, "Dùng như thư viện Python".
"""

__version__ = "0.1.0"

# After __version__: the modules below read it while the package is being imported.
from . import rulebook  # noqa: E402  (the module, callable: rulebook(id_or_path) → Rulebook)
from .api import InputInsideOutput, NoInputs, check, evaluate, run_batch, to_json, write_template  # noqa: E402
from .batch import UNIT_DIR  # noqa: E402
from .read import DEFAULT_LIMITS, Limits  # noqa: E402
from .batch import BatchOutcome, FolderBusy, OutputFailed, one_child  # noqa: E402
from .frames import Frames, frames  # noqa: E402
from .model import UnitResult  # noqa: E402
from .rulebook import Rulebook, RulebookError  # noqa: E402

__all__ = ["__version__", "evaluate", "run_batch", "rulebook", "frames", "write_template", "check", "to_json", "Limits",
           "DEFAULT_LIMITS", "UNIT_DIR", "UnitResult", "BatchOutcome", "Frames",
           "Rulebook", "RulebookError", "FolderBusy", "OutputFailed", "InputInsideOutput", "NoInputs", "one_child"]
