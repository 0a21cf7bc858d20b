#!/usr/bin/env python3
"""Circuit cost of qflow's PE datapath, measured with Debian's yosys.

`table` synthesizes mac_array at several PE x SIMD sizes and one requant lane (shift per channel and
shift fixed per layer) for each width pair, and writes rtl/cost/circuit_cost.csv: the data the C++
resource model (model/arch/resource_model) fits per width pair, flow and unit. Three flows:
generic (synth -lut 6: 6-input LUTs and flip-flops, at 8x8 only, for the bit-width study), xilinx
(synth_xilinx, DSP48E1 inference) and xilinx_nodsp (multipliers in LUTs and carry chains, what a
layer gets when it is given no DSPs).

`validate` synthesizes whole processing elements (an array and its PE requant lanes) at sizes the
table does not hold, asks `qflow-sim cost` for the model's estimate of each, and writes
rtl/cost/estimate_vs_yosys.csv with the LUT error in percent.
"""
import argparse
import concurrent.futures
import csv
import json
import math
import pathlib
import re
import subprocess
import sys
import tempfile

RTL = pathlib.Path(__file__).resolve().parent.parent / "rtl"
# Every RTL width comes from rtl/rtl_config.json, as it does for the Verilated models.
CONFIG = json.loads((RTL / "rtl_config.json").read_text())
MAX_DEPTH = CONFIG["mac_array"]["MaxDepth"]
REQUANT_WIDTHS = {k: CONFIG["requant"][k] for k in ("MultBits", "BiasBits", "ShiftBits", "CodeBits")}
FLOWS = {
    "generic": "synth -top {top} -flatten -lut 6",
    "xilinx": "synth_xilinx -top {top} -flatten",
    "xilinx_nodsp": "synth_xilinx -top {top} -flatten -nodsp",
}
# (weight bits, activation bits): equal widths, and the 12-bit upsampled inputs of an 8-bit layer.
WIDTHS = [(b, b) for b in range(2, 9)] + [(8, 12)]
FIT_SIZES = [(4, 8), (8, 8), (16, 8), (8, 16), (16, 16)]
# A layer's shift is a constant of the package; the fixed-shift lane is priced at the one the
# Verilated variant is built and checked with.
FIXED_SHIFT = CONFIG["requant"]["FixedShift"]
COLUMNS = ["w_bits", "a_bits", "flow", "unit", "pe", "simd", "luts", "flip_flops", "dsps", "carry_cells", "cells"]


def yosys_int(value):
    """A 32-bit parameter value as chparam reads it: it takes no minus sign, so negatives go as bits."""
    return str(value) if value >= 0 else f"32'h{value & 0xFFFFFFFF:08X}"


def synthesize(top, params, flow):
    """Cell counts by type of one module after one flow."""
    with tempfile.TemporaryDirectory() as tmp:
        stat = pathlib.Path(tmp) / "stat.json"
        chparam = " ".join(f"-set {k} {yosys_int(v)}" for k, v in params.items())
        script = (f"read_verilog -sv {RTL / (top + '.sv')}; chparam {chparam} {top}; "
                  f"{FLOWS[flow].format(top=top)}; tee -q -o {stat} stat -json")
        run = subprocess.run(["yosys", "-q", "-p", script], capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"yosys failed on {top} {params} ({flow}):\n{run.stderr}")
        modules = json.loads(stat.read_text())["modules"]
        return summarize(next(iter(modules.values()))["num_cells_by_type"])


def summarize(cells):
    luts = sum(n for t, n in cells.items() if t.startswith("LUT") or t == "$lut")
    ffs = sum(n for t, n in cells.items() if t.startswith("FD") or "DFF" in t)
    io = sum(n for t, n in cells.items() if t in ("IBUF", "OBUF", "BUFG"))
    return {"luts": luts, "flip_flops": ffs, "dsps": cells.get("DSP48E1", 0), "carry_cells": cells.get("CARRY4", 0),
            "cells": sum(cells.values()) - io}


def acc_bits(w, a):
    return w + a + math.ceil(math.log2(MAX_DEPTH))


def lane_params(w, a, fixed):
    return {"AccBits": acc_bits(w, a), **REQUANT_WIDTHS, "OutBits": min(a, 8), "FlowHead": 0,
            "FixedShift": FIXED_SHIFT if fixed else -1}


def table_jobs():
    """(row key, top, params, flow) for every synthesis of the table."""
    jobs = []
    for w, a in WIDTHS:
        for flow in FLOWS:
            sizes = FIT_SIZES if flow != "generic" else [(8, 8)]
            for pe, simd in sizes:
                jobs.append(((w, a, flow, "mac_array", pe, simd), "mac_array",
                             {"PE": pe, "SIMD": simd, "WBits": w, "ABits": a, "MaxDepth": MAX_DEPTH}, flow))
            for unit, fixed in (("requant_lane", False), ("requant_fixed_lane", True)):
                jobs.append(((w, a, flow, unit, 1, 1), "requant", lane_params(w, a, fixed), flow))
    return jobs


def run_all(jobs, workers):
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(synthesize, top, params, flow): key for key, top, params, flow in jobs}
        results = {}
        for future in concurrent.futures.as_completed(futures):
            results[futures[future]] = future.result()
            print(futures[future], results[futures[future]], flush=True)
    return results


def write_csv(path, columns, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {path}")


def table(args):
    jobs = table_jobs()
    results = run_all(jobs, args.jobs)
    rows = [dict(zip(COLUMNS[:6], key), **results[key]) for key, *_ in jobs]
    write_csv(args.out, COLUMNS, rows)


def parse_config(text):
    """'WxA:PExSIMD', e.g. 4x4:16x32."""
    m = re.fullmatch(r"(\d+)x(\d+):(\d+)x(\d+)", text)
    if not m:
        raise argparse.ArgumentTypeError(f"'{text}' is not W_BITSxA_BITS:PExSIMD")
    return tuple(int(g) for g in m.groups())


def validate(args):
    jobs = []
    for w, a, pe, simd in args.configs:
        for flow in ("xilinx", "xilinx_nodsp"):
            jobs.append(((w, a, pe, simd, flow, "array"), "mac_array", {"PE": pe, "SIMD": simd, "WBits": w, "ABits": a, "MaxDepth": MAX_DEPTH},
                         flow))
            jobs.append(((w, a, pe, simd, flow, "lane"), "requant", lane_params(w, a, False), flow))
    results = run_all(jobs, args.jobs)
    rows = []
    for w, a, pe, simd in args.configs:
        for flow in ("xilinx", "xilinx_nodsp"):
            array, lane = results[(w, a, pe, simd, flow, "array")], results[(w, a, pe, simd, flow, "lane")]
            measured = {k: array[k] + pe * lane[k] for k in ("luts", "flip_flops", "dsps")}
            cmd = [str(args.qflow_sim), "cost", "--w-bits", str(w), "--a-bits", str(a), "--pe", str(pe), "--simd",
                   str(simd), "--json"] + (["--lut-multipliers"] if flow == "xilinx_nodsp" else [])
            estimate = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
            rows.append({"w_bits": w, "a_bits": a, "pe": pe, "simd": simd, "flow": flow,
                         "yosys_luts": measured["luts"], "estimate_luts": round(estimate["luts"]),
                         "lut_error_percent": round(100 * (estimate["luts"] - measured["luts"]) / measured["luts"], 1),
                         "yosys_flip_flops": measured["flip_flops"], "estimate_flip_flops": round(estimate["flip_flops"]),
                         "yosys_dsps": measured["dsps"], "estimate_dsps": round(estimate["dsps"])})
            print(rows[-1], flush=True)
    write_csv(args.out, list(rows[0]), rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="yosys processes at once")
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("table", help="the fitting table")
    t.add_argument("--out", type=pathlib.Path, default=RTL / "cost" / "circuit_cost.csv")
    t.set_defaults(run=table)
    v = sub.add_parser("validate", help="whole PEs: yosys against the model's estimate")
    v.add_argument("--qflow-sim", type=pathlib.Path, default=RTL.parent / "build" / "sim" / "qflow-sim")
    v.add_argument("--configs", type=parse_config, nargs="+",
                   default=[parse_config(c) for c in ("2x2:16x32", "3x3:12x24", "4x4:16x32", "5x5:6x20", "6x6:12x8",
                                                      "8x8:16x32", "8x12:16x24")])
    v.add_argument("--out", type=pathlib.Path, default=RTL / "cost" / "estimate_vs_yosys.csv")
    v.set_defaults(run=validate)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
