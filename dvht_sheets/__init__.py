"""dvht-sheets: đánh giá “Đơn vị học tập” từ sổ tính Excel (TT 24/2023/TT-BGDĐT; TT 22/2020 cho năm đến 2023).

The library: read → validate → evaluate → report. Nothing here prints; the CLI (cli.py) is a thin layer over it.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
