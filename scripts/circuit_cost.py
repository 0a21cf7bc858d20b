#!/usr/bin/env python3
"""Circuit cost of qflow's PE datapath per bit width, with Debian's yosys.

For each width b (weights and activations b bits), synthesizes mac_array (PE x SIMD) and requant
(AccBits of that array, OutBits = b) and reports three rows: the array, its PE requant units, and
their sum, the datapath of one processing element. Three flows: generic (synth -lut 6: 6-input LUTs and
flip-flops), xilinx (synth_xilinx, DSP48E1 inference) and xilinx_nodsp (multipliers in LUTs and
carry chains, what a design short of DSPs gets). Writes a CSV; the README shows it.
"""
import argparse
import csv
import json
import math
import pathlib
import re
import subprocess
import sys
import tempfile

RTL = pathlib.Path(__file__).resolve().parent.parent / "rtl"
# mac_array's default MaxDepth (conv6_1's 3 x 3 x 1024), read where it is defined.
MAX_DEPTH = int(re.search(r"parameter int unsigned MaxDepth = (\d+)", (RTL / "mac_array.sv").read_text()).group(1))
FLOWS = {
    "generic": "synth -top {top} -flatten -lut 6",
    "xilinx": "synth_xilinx -top {top} -flatten",
    "xilinx_nodsp": "synth_xilinx -top {top} -flatten -nodsp",
}


def synthesize(top, params, flow):
    """Cell counts by type of one module after one flow."""
    with tempfile.TemporaryDirectory() as tmp:
        stat = pathlib.Path(tmp) / "stat.json"
        chparam = " ".join(f"-set {k} {v}" for k, v in params.items())
        script = (f"read_verilog -sv {RTL / (top + '.sv')}; chparam {chparam} {top}; "
                  f"{FLOWS[flow].format(top=top)}; tee -q -o {stat} stat -json")
        run = subprocess.run(["yosys", "-q", "-p", script], capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"yosys failed on {top} {params} ({flow}):\n{run.stderr}")
        modules = json.loads(stat.read_text())["modules"]
        return next(iter(modules.values()))["num_cells_by_type"]


def summarize(cells):
    luts = sum(n for t, n in cells.items() if t.startswith("LUT") or t == "$lut")
    ffs = sum(n for t, n in cells.items() if t.startswith("FD") or "DFF" in t)
    dsps = cells.get("DSP48E1", 0)
    carries = cells.get("CARRY4", 0)
    io = sum(n for t, n in cells.items() if t in ("IBUF", "OBUF", "BUFG"))
    return {"luts": luts, "flip_flops": ffs, "dsps": dsps, "carry_cells": carries,
            "cells": sum(cells.values()) - io}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pe", type=int, default=8)
    parser.add_argument("--simd", type=int, default=8)
    parser.add_argument("--bits", type=int, nargs="+", default=list(range(2, 9)))
    parser.add_argument("--out", type=pathlib.Path, default=RTL / "cost" / "circuit_cost.csv")
    args = parser.parse_args()

    rows = []
    for bits in args.bits:
        acc_bits = 2 * bits + math.ceil(math.log2(MAX_DEPTH))
        for flow in FLOWS:
            array = summarize(synthesize("mac_array", {"PE": args.pe, "SIMD": args.simd, "WBits": bits,
                                                       "ABits": bits}, flow))
            lane = summarize(synthesize("requant", {"AccBits": acc_bits, "OutBits": bits}, flow))
            requants = {k: args.pe * v for k, v in lane.items()}
            datapath = {k: array[k] + requants[k] for k in array}
            for unit, counts in (("mac_array", array), ("requant_x_pe", requants), ("pe_datapath", datapath)):
                row = {"bits": bits, "flow": flow, "unit": unit, "pe": args.pe, "simd": args.simd, **counts,
                       "cells_per_mac": round(counts["cells"] / (args.pe * args.simd), 1)}
                rows.append(row)
                print(",".join(str(v) for v in row.values()), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
