"""Thin entry for :func:`skills.vla.calibration.main` (the model cards' recipes name this path).

python scripts/calibrate_depth_goal.py --ckpt runs/vla/manip-tf3 --out runs/vla/manip-tf3-depth
"""

from __future__ import annotations

import sys

from skills.vla.calibration import main

if __name__ == "__main__":
    sys.exit(main())
