sim=${QFLOW_SIM:-qflow-sim}
command -v "$sim" > /dev/null || { echo "$sim not found: put qflow-sim on the PATH or set QFLOW_SIM" >&2; exit 1; }
